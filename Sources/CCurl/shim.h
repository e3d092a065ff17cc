#ifndef NEWSLETTER_CCURL_SHIM_H
#define NEWSLETTER_CCURL_SHIM_H
#include <curl/curl.h>
#endif
