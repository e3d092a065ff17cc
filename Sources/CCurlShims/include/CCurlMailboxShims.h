#ifndef NEWSLETTER_CCURLMAILBOXSHIMS_H
#define NEWSLETTER_CCURLMAILBOXSHIMS_H
/*
 * Typed pass-throughs for reading over IMAP: the write callback that receives what the server answers.
 * No logic lives here: each function forwards its arguments unchanged.
 */
#include <curl/curl.h>

CURLcode ccurl_easy_setopt_write_function(CURL *_Nonnull handle,
    size_t (*_Nullable function)(char *_Nonnull, size_t, size_t, void *_Nullable));

#endif
