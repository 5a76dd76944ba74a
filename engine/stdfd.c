/*
 * stdfd.c - making sure descriptors 0, 1 and 2 are open before a program
 * opens anything else.
 *
 * A program started with stderr closed (`prog 2>&-`) gets descriptor 2 for
 * the first file it opens; its messages then land inside that file (a
 * compressed output, a trace). xz and zstd guard against this at start-up,
 * and so do smix, smix-tui and smix-view, through this one function.
 */
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include "smix.h"

int smix_guard_stdio(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        /* open() returns the lowest free descriptor: this one. It is opened
         * in the wrong direction on purpose (as xz does): reading a closed
         * stdin or writing a closed stdout then fails with EBADF and is
         * reported, instead of silently reading nothing or writing into
         * /dev/null; messages to a closed stderr are simply lost. */
        int nfd = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
        if (nfd != fd) {
            if (nfd >= 0)
                close(nfd);
            return -1;
        }
    }
    return 0;
}
