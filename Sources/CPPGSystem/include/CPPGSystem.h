// System interfaces Swift's Glibc module does not export: epoll on Linux. No third-party headers.
#ifndef CPPGSYSTEM_H
#define CPPGSYSTEM_H

#ifdef __linux__
#include <sys/epoll.h>
#endif

#endif
