#ifndef NEWSLETTER_CLIBXML2_SHIM_H
#define NEWSLETTER_CLIBXML2_SHIM_H
/*
 * Debian builds libxml2 with ICU; its headers then pull in ICU's UErrorCode, which
 * clashes with Foundation's copy when both are imported into one Swift module.
 * The parser never needs ICU types, so hide them before the other headers load.
 */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

/* A do-nothing error handler: libxml2 otherwise prints encoding errors to stderr. */
static void nlxml_silent_error(void *_Nullable context, const char *_Nonnull message, ...) {
    (void)context;
    (void)message;
}

/* Installs the silent handler for the calling thread and initialises the parser once. */
static inline void nlxml_init(void) {
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, nlxml_silent_error);
}

/* xmlFree is a global function-pointer variable, which Swift 6 rejects as shared mutable state. */
static inline void nlxml_free(void *_Nullable pointer) {
    xmlFree(pointer);
}
#endif
