// TLS for the project's own HTTP client, through the system's OpenSSL loaded at run time (libssl.so.3, then
// libssl.so.1.1): no OpenSSL headers and no link-time dependency. Every function is safe to call when no library
// could be loaded; it then fails with a message.
#ifndef CPPGTLS_H
#define CPPGTLS_H

#include <stddef.h>

enum {
    PPG_TLS_DONE = 1,        // the call completed
    PPG_TLS_WANT_READ = 2,   // retry once the socket is readable
    PPG_TLS_WANT_WRITE = 3,  // retry once the socket is writable
    PPG_TLS_CLOSED = 0,      // the peer closed the TLS session
    PPG_TLS_FAILED = -1      // an error; ppg_tls_error() says which
};

/// Loads libssl and libcrypto once. 1 when TLS is available; 0 with the reason in `error`.
int ppg_tls_load(char *error, size_t length);

/// A client context: TLS 1.2 or later; with `verify`, peer certificates checked against `ca_file` when given,
/// else the system's trust store. NULL on failure, with the reason in `error`.
void *ppg_tls_context_new(int verify, const char *ca_file, char *error, size_t length);
void ppg_tls_context_free(void *context);

/// A session on a connected socket: SNI and hostname verification for `hostname` (not for an IP literal's SNI),
/// ALPN http/1.1. NULL on failure.
void *ppg_tls_session_new(void *context, int descriptor, const char *hostname, int verify, char *error,
                          size_t length);
void ppg_tls_session_free(void *session);

/// One step of the handshake, of a read or of a write; `count` receives the bytes moved.
int ppg_tls_handshake(void *session);
int ppg_tls_read(void *session, void *buffer, int length, int *count);
int ppg_tls_write(void *session, const void *buffer, int length, int *count);
/// Whether decrypted bytes are waiting in the session.
int ppg_tls_pending(void *session);

/// Why the last failing call failed: the certificate check's reason when it failed, else OpenSSL's error queue.
// `verify` says whether the certificate was to be checked: only then is a verification result the reason.
void ppg_tls_error(void *session, int verify, char *buffer, size_t length);

#endif
