// System interfaces Swift's Glibc module does not export (epoll on Linux), and TLS through the system's OpenSSL
// loaded at run time (CPPGTLS.h). No third-party headers.
#ifndef CPPGSYSTEM_H
#define CPPGSYSTEM_H

#ifdef __linux__
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/eventfd.h>
#endif

#include "CPPGTLS.h"

#endif
