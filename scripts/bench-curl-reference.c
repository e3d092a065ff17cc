/*
 * The libcurl-in-C reference of `scripts/bench --wire` (issue 17): sends already-made messages over SMTP with
 * libcurl's easy interface, one thread and one reused handle per connection, with the options `newsletter send`
 * sets (no TLS on loopback, a fresh connection after `per-connection` messages), and nothing else: no rendering,
 * no journal. What it costs is what libcurl and the kernel cost.
 *
 *   curl-reference URL CONNECTIONS PER-CONNECTION COUNT FROM DIR
 *
 * DIR holds the messages as `send --dry-run DIR` writes them (NNNNNN-recipient.eml); message i goes to the
 * recipient of file i mod (number of files), in recipient order. Prints "sent N" and exits 0 when every message got a 250.
 */
#include <curl/curl.h>
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct message { char *data; size_t size; char *recipient; };
struct upload { const struct message *message; size_t offset; };

static struct message *messages;
static size_t message_count;
static const char *url, *from;
static long per_connection;
static long total;
static atomic_long next_index, sent, failed;

static size_t read_callback(char *buffer, size_t size, size_t count, void *context) {
    struct upload *upload = context;
    size_t left = upload->message->size - upload->offset;
    size_t length = size * count < left ? size * count : left;
    memcpy(buffer, upload->message->data + upload->offset, length);
    upload->offset += length;
    return length;
}

static void *connection(void *unused) {
    (void)unused;
    CURL *curl = curl_easy_init();
    char sender[512];
    snprintf(sender, sizeof sender, "<%s>", from);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_NONE);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_callback);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, sender);
    long on_connection = 0;
    for (;;) {
        long index = atomic_fetch_add(&next_index, 1);
        if (index >= total) break;
        const struct message *message = &messages[index % message_count];
        char recipient[512];
        snprintf(recipient, sizeof recipient, "<%s>", message->recipient);
        struct curl_slist *recipients = curl_slist_append(NULL, recipient);
        struct upload upload = { message, 0 };
        curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
        curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)message->size);
        curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, on_connection + 1 >= per_connection ? 1L : 0L);
        CURLcode code = curl_easy_perform(curl);
        long reply = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
        curl_slist_free_all(recipients);
        if (code == CURLE_OK && reply == 250) {
            atomic_fetch_add(&sent, 1);
        } else {
            atomic_fetch_add(&failed, 1);
            fprintf(stderr, "message %ld: %s (reply %ld)\n", index, curl_easy_strerror(code), reply);
        }
        on_connection = on_connection + 1 >= per_connection ? 0 : on_connection + 1;
    }
    curl_easy_cleanup(curl);
    return NULL;
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const struct message *)a)->recipient, ((const struct message *)b)->recipient);
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s URL CONNECTIONS PER-CONNECTION COUNT FROM DIR\n", argv[0]);
        return 64;
    }
    url = argv[1];
    int connections = atoi(argv[2]);
    per_connection = atol(argv[3]);
    total = atol(argv[4]);
    from = argv[5];
    DIR *folder = opendir(argv[6]);
    if (!folder || connections < 1 || per_connection < 1 || total < 1) { perror(argv[6]); return 64; }
    size_t capacity = 1024;
    messages = calloc(capacity, sizeof *messages);
    struct dirent *entry;
    while ((entry = readdir(folder))) {
        const char *name = entry->d_name;
        size_t length = strlen(name);
        const char *dash = strchr(name, '-');
        if (length < 5 || strcmp(name + length - 4, ".eml") != 0 || !dash) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[6], name);
        FILE *file = fopen(path, "rb");
        struct stat info;
        if (!file || fstat(fileno(file), &info) != 0) { perror(path); return 1; }
        if (message_count == capacity) messages = realloc(messages, (capacity *= 2) * sizeof *messages);
        struct message *message = &messages[message_count++];
        message->size = (size_t)info.st_size;
        message->data = malloc(message->size);
        if (fread(message->data, 1, message->size, file) != message->size) { perror(path); return 1; }
        fclose(file);
        message->recipient = strndup(dash + 1, (size_t)(name + length - 4 - (dash + 1)));
    }
    closedir(folder);
    if (message_count == 0) { fprintf(stderr, "%s: no .eml files\n", argv[6]); return 1; }
    qsort(messages, message_count, sizeof *messages, by_name);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_t threads[64];
    if (connections > 64) connections = 64;
    for (int i = 0; i < connections; i++) pthread_create(&threads[i], NULL, connection, NULL);
    for (int i = 0; i < connections; i++) pthread_join(threads[i], NULL);
    curl_global_cleanup();
    printf("sent %ld, failed %ld\n", atomic_load(&sent), atomic_load(&failed));
    return atomic_load(&failed) == 0 ? 0 : 1;
}
