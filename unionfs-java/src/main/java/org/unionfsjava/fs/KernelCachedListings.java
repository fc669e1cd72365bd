package org.unionfsjava.fs;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Listings of directories read without a handle, by directory node: in fixed lower mode on libfuse
 * 3 the union answers OPENDIR with ENOSYS, after which the kernel opens every directory itself,
 * with FOPEN_CACHE_DIR and FOPEN_KEEP_CACHE, and never sends OPENDIR or RELEASEDIR again; it
 * reads a directory only to fill its own listing cache, with handle 0, from offset 0 on.
 *
 * <p>A read from offset 0 takes a fresh listing and keeps it here; later reads continue in the
 * kept listing, so offsets stay those of one listing while the kernel fills its cache; the listing
 * goes when its last entry has been handed out. A read from a later offset whose listing is gone
 * (a reader that stopped half way, then many other directories) lists again: in fixed mode an
 * unchanged directory lists in the same order, and a changed one makes the kernel start again
 * from offset 0 (it drops its cache when the directory's mtime or change counter moves). At most
 * {@value #KEPT} listings are kept, the least recently read going first.
 */
final class KernelCachedListings {
  private static final int KEPT = 64;

  /** Lists a directory node afresh. */
  interface Lister {
    List<DirHandle.Entry> list(long node) throws IOException;
  }

  private final Lister lister;
  private final Map<Long, List<DirHandle.Entry>> kept = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, List<DirHandle.Entry>> eldest) {
      return size() > KEPT;
    }
  };

  KernelCachedListings(Lister lister) {
    this.lister = lister;
  }

  /** The listing to read from {@code offset} on: a fresh one at offset 0, else the kept one. */
  List<DirHandle.Entry> read(long node, long offset) throws IOException {
    if (offset != 0) {
      synchronized (kept) {
        List<DirHandle.Entry> entries = kept.get(node);
        if (entries != null) {
          return entries;
        }
      }
    }
    List<DirHandle.Entry> fresh = lister.list(node);
    synchronized (kept) {
      kept.put(node, fresh);
    }
    return fresh;
  }

  /** The kernel has had the listing's last entry: it is not kept any longer. */
  void finished(long node, List<DirHandle.Entry> entries) {
    synchronized (kept) {
      kept.remove(node, entries);
    }
  }

  int size() {
    synchronized (kept) {
      return kept.size();
    }
  }
}
