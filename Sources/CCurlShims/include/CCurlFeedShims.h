#ifndef NEWSLETTER_CCURLFEEDSHIMS_H
#define NEWSLETTER_CCURLFEEDSHIMS_H
/*
 * Typed pass-throughs for fetching feeds over HTTP: the header callback that receives the response's headers.
 * No logic lives here: each function forwards its arguments unchanged.
 */
#include <curl/curl.h>

CURLcode ccurl_easy_setopt_header_function(CURL *_Nonnull handle,
    size_t (*_Nullable function)(char *_Nonnull, size_t, size_t, void *_Nullable));

#endif
