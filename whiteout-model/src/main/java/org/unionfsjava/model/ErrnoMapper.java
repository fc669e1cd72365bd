package org.unionfsjava.model;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.util.Locale;

/**
 * The one place that turns an {@link IOException} into an {@link Errno}: the union's own
 * exceptions carry theirs; NIO's typed exceptions map by type; generic ones by the strerror text
 * of their reason (the daemon runs with LC_ALL=C.UTF-8, so the text is English); anything else is
 * EIO.
 */
public final class ErrnoMapper {
  private ErrnoMapper() {}

  /** The errno an exception stands for. */
  public static Errno of(IOException e) {
    if (e instanceof UnionException) {
      return ((UnionException) e).errno();
    }
    if (e instanceof NoSuchFileException) {
      return Errno.ENOENT;
    }
    if (e instanceof FileAlreadyExistsException) {
      return Errno.EEXIST;
    }
    if (e instanceof DirectoryNotEmptyException) {
      return Errno.ENOTEMPTY;
    }
    if (e instanceof NotDirectoryException) {
      return Errno.ENOTDIR;
    }
    if (e instanceof AccessDeniedException) {
      return Errno.EACCES;
    }
    if (e instanceof NotLinkException) {
      return Errno.EINVAL;
    }
    if (e instanceof AtomicMoveNotSupportedException) {
      return Errno.EXDEV;
    }
    if (e instanceof FileSystemLoopException) {
      return Errno.ELOOP;
    }
    String reason = e instanceof FileSystemException ? ((FileSystemException) e).getReason() : e.getMessage();
    return reason == null ? Errno.EIO : ofReason(reason);
  }

  /** The errno whose strerror text a reason contains; EIO if none. */
  static Errno ofReason(String reason) {
    String r = reason.toLowerCase(Locale.ROOT);
    if (r.contains("no space left") || r.contains("out of disk space")) {
      return Errno.ENOSPC;
    }
    if (r.contains("read-only file system")) {
      return Errno.EROFS;
    }
    if (r.contains("cross-device")) {
      return Errno.EXDEV;
    }
    if (r.contains("file name too long")) {
      return Errno.ENAMETOOLONG;
    }
    if (r.contains("is a directory")) {
      return Errno.EISDIR;
    }
    if (r.contains("not a directory")) {
      return Errno.ENOTDIR;
    }
    if (r.contains("directory not empty")) {
      return Errno.ENOTEMPTY;
    }
    if (r.contains("no such file")) {
      return Errno.ENOENT;
    }
    if (r.contains("file exists")) {
      return Errno.EEXIST;
    }
    if (r.contains("permission denied")) {
      return Errno.EACCES;
    }
    if (r.contains("operation not permitted")) {
      return Errno.EPERM;
    }
    if (r.contains("too many levels of symbolic links")) {
      return Errno.ELOOP;
    }
    if (r.contains("disk quota")) {
      return Errno.EDQUOT;
    }
    if (r.contains("not supported")) {
      return Errno.ENOTSUP;
    }
    if (r.contains("stale file handle")) {
      return Errno.ESTALE;
    }
    if (r.contains("no data available") || r.contains("no such attribute")) {
      return Errno.ENODATA;
    }
    if (r.contains("device or resource busy")) {
      return Errno.EBUSY;
    }
    if (r.contains("file too large")) {
      return Errno.EFBIG;
    }
    if (r.contains("too many links")) {
      return Errno.EMLINK;
    }
    if (r.contains("numerical result out of range")) {
      return Errno.ERANGE;
    }
    if (r.contains("text file busy")) {
      return Errno.ETXTBSY;
    }
    if (r.contains("function not implemented")) {
      return Errno.ENOSYS;
    }
    if (r.contains("invalid argument")) {
      return Errno.EINVAL;
    }
    return Errno.EIO;
  }

  /** The same exception as a {@link UnionException} (unchanged if it is one). */
  public static UnionException toUnion(IOException e, String path) {
    if (e instanceof UnionException) {
      return (UnionException) e;
    }
    return new UnionException(of(e), path, String.valueOf(e.getMessage()), e);
  }
}
