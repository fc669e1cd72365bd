package org.unionfsjava.model;

/**
 * The portable error vocabulary of the union: names only, no numbers.
 *
 * <p>Numbers belong to the platform and are assigned in one place by the FUSE adapter. Model code
 * throws {@link UnionException} with one of these names and a reason.
 */
public enum Errno {
  EPERM, ENOENT, EIO, EBADF, EAGAIN, EACCES, EBUSY, EEXIST, EXDEV, ENODEV, ENOTDIR, EISDIR, EINVAL,
  EFBIG, ENOSPC, EROFS, EMLINK, ERANGE, ENAMETOOLONG, ENOSYS, ENOTEMPTY, ELOOP, ENODATA, ENOTSUP,
  ESTALE, EDQUOT, ETXTBSY, EOVERFLOW, EINTR, E2BIG
}
