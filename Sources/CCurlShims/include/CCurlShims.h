#ifndef NEWSLETTER_CCURLSHIMS_H
#define NEWSLETTER_CCURLSHIMS_H
/*
 * Typed, non-variadic pass-throughs to libcurl's variadic option setters, which Swift
 * cannot import. No logic lives here: each function forwards its arguments unchanged.
 */
#include <curl/curl.h>

CURLcode ccurl_easy_setopt_long(CURL *_Nonnull handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_off_t(CURL *_Nonnull handle, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_string(CURL *_Nonnull handle, CURLoption option, const char *_Nullable value);
CURLcode ccurl_easy_setopt_pointer(CURL *_Nonnull handle, CURLoption option, void *_Nullable value);
CURLcode ccurl_easy_setopt_slist(CURL *_Nonnull handle, CURLoption option, struct curl_slist *_Nullable value);
CURLcode ccurl_easy_setopt_read_function(CURL *_Nonnull handle,
    size_t (*_Nullable function)(char *_Nonnull, size_t, size_t, void *_Nullable));
CURLcode ccurl_easy_setopt_debug_function(CURL *_Nonnull handle,
    int (*_Nullable function)(CURL *_Nonnull, curl_infotype, char *_Nonnull, size_t, void *_Nullable));
CURLcode ccurl_easy_getinfo_long(CURL *_Nonnull handle, CURLINFO info, long *_Nonnull value);

/* The mailbox reader's pass-throughs, kept in a file of their own. */
#include "CCurlMailboxShims.h"
/* The feed fetcher's pass-throughs. */
#include "CCurlFeedShims.h"

#endif
