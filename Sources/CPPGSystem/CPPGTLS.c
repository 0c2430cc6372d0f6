// Calls into the system's OpenSSL through pointers found with dlsym: the constants below are OpenSSL's public ABI
// values (stable across 1.1 and 3.x), written out because no OpenSSL header is used.
#include "CPPGTLS.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define SSL_VERIFY_NONE 0
#define SSL_VERIFY_PEER 1
#define SSL_ERROR_SSL 1
#define SSL_ERROR_WANT_READ 2
#define SSL_ERROR_WANT_WRITE 3
#define SSL_ERROR_SYSCALL 5
#define SSL_ERROR_ZERO_RETURN 6
#define SSL_CTRL_SET_TLSEXT_HOSTNAME 55
#define TLSEXT_NAMETYPE_host_name 0
#define SSL_CTRL_SET_MIN_PROTO_VERSION 123
#define TLS1_2_VERSION 0x0303
#define X509_V_OK 0
#define SSL_OP_IGNORE_UNEXPECTED_EOF (1UL << 7)
#define X509_CHECK_FLAG_NEVER_CHECK_SUBJECT 0x20
#define X509_V_FLAG_PARTIAL_CHAIN 0x80000

static struct {
    int loaded;
    char reason[256];
    const void *(*TLS_client_method)(void);
    void *(*SSL_CTX_new)(const void *);
    void (*SSL_CTX_free)(void *);
    void (*SSL_CTX_set_verify)(void *, int, void *);
    int (*SSL_CTX_set_default_verify_paths)(void *);
    int (*SSL_CTX_load_verify_locations)(void *, const char *, const char *);
    long (*SSL_CTX_ctrl)(void *, int, long, void *);
    void *(*SSL_new)(void *);
    void (*SSL_free)(void *);
    int (*SSL_set_fd)(void *, int);
    long (*SSL_ctrl)(void *, int, long, void *);
    int (*SSL_set1_host)(void *, const char *);
    int (*SSL_set_alpn_protos)(void *, const unsigned char *, unsigned int);
    int (*SSL_connect)(void *);
    int (*SSL_read)(void *, void *, int);
    int (*SSL_write)(void *, const void *, int);
    int (*SSL_get_error)(const void *, int);
    int (*SSL_pending)(const void *);
    long (*SSL_get_verify_result)(const void *);
    void *(*SSL_get0_param)(void *);
    int (*X509_VERIFY_PARAM_set1_ip_asc)(void *, const char *);
    unsigned long (*ERR_get_error)(void);
    void (*ERR_clear_error)(void);
    void (*ERR_error_string_n)(unsigned long, char *, size_t);
    const char *(*X509_verify_cert_error_string)(long);
    void (*SSL_set_hostflags)(void *, unsigned int);
    void *(*SSL_CTX_get0_param)(void *);
    int (*X509_VERIFY_PARAM_set_flags)(void *, unsigned long);
    // OpenSSL 3 only (a macro over SSL_CTX_ctrl before): optional.
    uint64_t (*SSL_CTX_set_options)(void *, uint64_t);
} tls;

static pthread_once_t once = PTHREAD_ONCE_INIT;

// The system's libraries by absolute path, never by bare name: a bare name is searched through the executable's
// RUNPATH too, and a release binary's holds $ORIGIN, so a libssl dropped beside it would be loaded instead.
static const char *const directories[] = {
#if defined(__x86_64__)
    "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
#elif defined(__aarch64__)
    "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
#endif
    "/usr/lib64", "/lib64", "/usr/lib", "/lib", "/opt/homebrew/opt/openssl@3/lib", "/usr/local/opt/openssl@3/lib",
    NULL};

static int is_file(const char *path) {
    struct stat info;
    return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

// libssl and libcrypto as a pair: the same version from the same directory, so they can never be mixed.
static int open_pair(void **ssl, void **crypto) {
    static const char *const versions[][2] = {
        {"libssl.so.3", "libcrypto.so.3"}, {"libssl.so.1.1", "libcrypto.so.1.1"},
        {"libssl.3.dylib", "libcrypto.3.dylib"}};
    char ssl_path[512], crypto_path[512];
    for (size_t v = 0; v < sizeof versions / sizeof versions[0]; v++) {
        for (const char *const *directory = directories; *directory; directory++) {
            snprintf(ssl_path, sizeof ssl_path, "%s/%s", *directory, versions[v][0]);
            snprintf(crypto_path, sizeof crypto_path, "%s/%s", *directory, versions[v][1]);
            if (!is_file(ssl_path) || !is_file(crypto_path)) continue;
            *crypto = dlopen(crypto_path, RTLD_NOW | RTLD_LOCAL);
            *ssl = *crypto ? dlopen(ssl_path, RTLD_NOW | RTLD_LOCAL) : NULL;
            if (*ssl && *crypto) return 1;
            if (*crypto) dlclose(*crypto);
            *ssl = *crypto = NULL;
        }
    }
    return 0;
}

#define FIND(handle, name)                                                                             \
    do {                                                                                               \
        *(void **)(&tls.name) = dlsym(handle, #name);                                                  \
        if (!tls.name) {                                                                               \
            snprintf(tls.reason, sizeof tls.reason, "the system's OpenSSL has no %s", #name);          \
            return;                                                                                    \
        }                                                                                              \
    } while (0)

static void load(void) {
    void *crypto = NULL, *ssl = NULL;
    if (!open_pair(&ssl, &crypto)) {
        snprintf(tls.reason, sizeof tls.reason,
                 "no TLS library could be loaded (libssl.so.3 or libssl.so.1.1; Debian/Ubuntu: apt-get install libssl3)");
        return;
    }
    FIND(ssl, TLS_client_method);
    FIND(ssl, SSL_CTX_new);
    FIND(ssl, SSL_CTX_free);
    FIND(ssl, SSL_CTX_set_verify);
    FIND(ssl, SSL_CTX_set_default_verify_paths);
    FIND(ssl, SSL_CTX_load_verify_locations);
    FIND(ssl, SSL_CTX_ctrl);
    FIND(ssl, SSL_new);
    FIND(ssl, SSL_free);
    FIND(ssl, SSL_set_fd);
    FIND(ssl, SSL_ctrl);
    FIND(ssl, SSL_set1_host);
    FIND(ssl, SSL_set_alpn_protos);
    FIND(ssl, SSL_connect);
    FIND(ssl, SSL_read);
    FIND(ssl, SSL_write);
    FIND(ssl, SSL_get_error);
    FIND(ssl, SSL_pending);
    FIND(ssl, SSL_get_verify_result);
    FIND(ssl, SSL_get0_param);
    FIND(crypto, X509_VERIFY_PARAM_set1_ip_asc);
    FIND(crypto, ERR_get_error);
    FIND(crypto, ERR_clear_error);
    FIND(crypto, ERR_error_string_n);
    FIND(crypto, X509_verify_cert_error_string);
    FIND(ssl, SSL_set_hostflags);
    FIND(ssl, SSL_CTX_get0_param);
    FIND(crypto, X509_VERIFY_PARAM_set_flags);
    *(void **)(&tls.SSL_CTX_set_options) = dlsym(ssl, "SSL_CTX_set_options");
    tls.loaded = 1;
}

int ppg_tls_load(char *error, size_t length) {
    pthread_once(&once, load);
    if (!tls.loaded && error && length) snprintf(error, length, "%s", tls.reason);
    return tls.loaded;
}

static void queue_error(char *error, size_t length, const char *what) {
    unsigned long code = tls.loaded ? tls.ERR_get_error() : 0;
    if (!error || !length) return;
    if (code) {
        char text[200];
        tls.ERR_error_string_n(code, text, sizeof text);
        snprintf(error, length, "%s: %s", what, text);
    } else {
        snprintf(error, length, "%s", what);
    }
}

void *ppg_tls_context_new(int verify, const char *ca_file, char *error, size_t length) {
    if (!ppg_tls_load(error, length)) return NULL;
    void *context = tls.SSL_CTX_new(tls.TLS_client_method());
    if (!context) {
        queue_error(error, length, "cannot create a TLS context");
        return NULL;
    }
    tls.SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
    // OpenSSL 3 reports a TCP close without close_notify as an error; HTTP's own framing says whether a message
    // is complete (a Content-Length or chunked body cut short is caught there), so it is the end of the stream,
    // as OpenSSL 1.1 reports it (RFC 9112 §9.8: a close-delimited body may be incomplete either way).
    if (tls.SSL_CTX_set_options) tls.SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (verify) {
        int trusted = ca_file ? tls.SSL_CTX_load_verify_locations(context, ca_file, NULL)
                              : tls.SSL_CTX_set_default_verify_paths(context);
        if (trusted != 1) {
            queue_error(error, length, ca_file ? "cannot read the CA file" : "cannot load the system's trust store");
            tls.SSL_CTX_free(context);
            return NULL;
        }
        tls.SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
        // A --cacert file may hold an intermediate or the server's own certificate: a chain that ends there is
        // trusted, as the README promises ("CA or certificate").
        if (ca_file) tls.X509_VERIFY_PARAM_set_flags(tls.SSL_CTX_get0_param(context), X509_V_FLAG_PARTIAL_CHAIN);
    } else {
        tls.SSL_CTX_set_verify(context, SSL_VERIFY_NONE, NULL);
    }
    return context;
}

void ppg_tls_context_free(void *context) {
    if (context && tls.loaded) tls.SSL_CTX_free(context);
}

static int is_ip_literal(const char *host) {
    int digits_and_dots = 1;
    for (const char *c = host; *c; c++) {
        if (*c == ':') return 1;
        if (!((*c >= '0' && *c <= '9') || *c == '.')) digits_and_dots = 0;
    }
    return digits_and_dots;
}

void *ppg_tls_session_new(void *context, int descriptor, const char *hostname, int verify, char *error,
                          size_t length) {
    if (!context || !tls.loaded) {
        if (error && length) snprintf(error, length, "no TLS context");
        return NULL;
    }
    tls.ERR_clear_error();
    void *session = tls.SSL_new(context);
    if (!session || tls.SSL_set_fd(session, descriptor) != 1) {
        queue_error(error, length, "cannot create a TLS session");
        if (session) tls.SSL_free(session);
        return NULL;
    }
    // SNI names a host, never an address (RFC 6066 §3).
    if (!is_ip_literal(hostname)) tls.SSL_ctrl(session, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                               (void *)hostname);
    // An address is checked against the certificate's IP names, a host name against its DNS names.
    // Names are matched against subjectAltName only, never the subject's CN (RFC 6125 §6.4.4; RFC 9110 §4.3.4).
    tls.SSL_set_hostflags(session, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
    int named = is_ip_literal(hostname) ? tls.X509_VERIFY_PARAM_set1_ip_asc(tls.SSL_get0_param(session), hostname)
                                        : tls.SSL_set1_host(session, hostname);
    if (verify && named != 1) {
        queue_error(error, length, "cannot set the host name to verify");
        tls.SSL_free(session);
        return NULL;
    }
    static const unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    tls.SSL_set_alpn_protos(session, alpn, sizeof alpn);
    return session;
}

void ppg_tls_session_free(void *session) {
    if (session && tls.loaded) tls.SSL_free(session);
}

static int step(void *session, int result) {
    if (result > 0) return PPG_TLS_DONE;
    switch (tls.SSL_get_error(session, result)) {
    case SSL_ERROR_WANT_READ: return PPG_TLS_WANT_READ;
    case SSL_ERROR_WANT_WRITE: return PPG_TLS_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN: return PPG_TLS_CLOSED;
    default: return PPG_TLS_FAILED;
    }
}

int ppg_tls_handshake(void *session) {
    tls.ERR_clear_error();
    return step(session, tls.SSL_connect(session));
}

int ppg_tls_read(void *session, void *buffer, int length, int *count) {
    tls.ERR_clear_error();
    int result = tls.SSL_read(session, buffer, length);
    *count = result > 0 ? result : 0;
    int outcome = step(session, result);
    // A peer that closes the TCP connection without a TLS close_notify: the end of the stream all the same.
    if (outcome == PPG_TLS_FAILED && result == 0 && tls.ERR_get_error() == 0) return PPG_TLS_CLOSED;
    return outcome;
}

int ppg_tls_write(void *session, const void *buffer, int length, int *count) {
    tls.ERR_clear_error();
    int result = tls.SSL_write(session, buffer, length);
    *count = result > 0 ? result : 0;
    return step(session, result);
}

int ppg_tls_pending(void *session) {
    return session && tls.loaded ? tls.SSL_pending(session) : 0;
}

void ppg_tls_error(void *session, int verify, char *buffer, size_t length) {
    if (!tls.loaded) {
        snprintf(buffer, length, "%s", tls.reason);
        return;
    }
    long verified = session && verify ? tls.SSL_get_verify_result(session) : X509_V_OK;
    if (verified != X509_V_OK) {
        snprintf(buffer, length, "certificate verification failed: %s", tls.X509_verify_cert_error_string(verified));
        return;
    }
    queue_error(buffer, length, "TLS error");
}
