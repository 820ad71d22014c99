/*
 * Lazy unmount that leaves the FUSE connection alone. libfuse's fuse_session_unmount closes the
 * session's /dev/fuse descriptor before it detaches the mount, and that ends the connection:
 * over /dev/fuse a file still open got ENOTCONN on its next call, over io_uring on its close.
 * Detaching only the mount keeps serving open files until the last one is closed; the kernel
 * then ends the connection and the session loop returns by itself.
 */
#ifndef INTERPOSER_DETACH_H
#define INTERPOSER_DETACH_H

/* Detaches `mountpoint` (umount2 MNT_DETACH as root, `fusermount3 -u -z` for a user's mount).
 * Returns 0, or -errno when it could not (the caller falls back to fuse_session_unmount). */
int ip_detach_mount(const char *mountpoint);

#endif
