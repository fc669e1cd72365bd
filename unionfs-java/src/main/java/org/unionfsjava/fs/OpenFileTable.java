package org.unionfsjava.fs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.fs.nativeio.NativeFile;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;

/**
 * The FUSE file handles of the union: open files and open directories by handle number. Unknown
 * handles answer EBADF; {@link #closeAll()} releases whatever is still open at unmount.
 */
final class OpenFileTable {
  private static final Logger LOG = LogManager.getLogger();

  private final AtomicLong next = new AtomicLong(1);
  private final ConcurrentHashMap<Long, OpenFile> files = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, DirHandle> dirs = new ConcurrentHashMap<>();

  long addFile(OpenFile f) {
    long fh = next.getAndIncrement();
    files.put(fh, f);
    return fh;
  }

  OpenFile file(long fh) throws UnionException {
    OpenFile f = files.get(fh);
    if (f == null) {
      throw new UnionException(Errno.EBADF, "#" + fh, "unknown file handle");
    }
    return f;
  }

  /** Puts a new open file in place of the old one under the same handle. */
  void replace(long fh, OpenFile old, OpenFile fresh) throws UnionException {
    if (!files.replace(fh, old, fresh)) {
      throw new UnionException(Errno.EBADF, "#" + fh, "file handle changed meanwhile");
    }
  }

  /** Removes and closes an open file. */
  void release(long fh) throws UnionException {
    OpenFile f = files.remove(fh);
    if (f == null) {
      throw new UnionException(Errno.EBADF, "#" + fh, "unknown file handle");
    }
    NativeFile.close(f.fd());
  }

  /** Calls {@code action} for each open file (a snapshot: files may be released meanwhile). */
  void forEachFile(java.util.function.BiConsumer<Long, OpenFile> action) {
    files.forEach(action);
  }

  long addDir(DirHandle d) {
    long fh = next.getAndIncrement();
    dirs.put(fh, d);
    return fh;
  }

  DirHandle dir(long fh) throws UnionException {
    DirHandle d = dirs.get(fh);
    if (d == null) {
      throw new UnionException(Errno.EBADF, "#" + fh, "unknown directory handle");
    }
    return d;
  }

  void releaseDir(long fh) {
    dirs.remove(fh);
  }

  /** The number of open files and directories (for leak checks and status). */
  int openCount() {
    return files.size() + dirs.size();
  }

  /** Closes every open file; returns what could not be closed. */
  List<Exception> closeAll() {
    List<Exception> failures = new ArrayList<>();
    for (Long fh : new ArrayList<>(files.keySet())) {
      try {
        release(fh);
      } catch (UnionException e) {
        failures.add(e);
      }
    }
    dirs.clear();
    if (!failures.isEmpty()) {
      LOG.warn("{} files could not be closed at unmount", failures.size());
    }
    return failures;
  }
}
