package org.unionfsjava.fs;

import java.util.List;
import org.unionfsjava.model.UnionPath;

/**
 * An open directory: the merged listing taken at its first read (and again on a later read from
 * offset 0, as rewinddir(3) asks), so offsets stay stable while the handle is open. Opendir does
 * not list: the kernel's first READDIR always follows, and listing twice cost a merge per
 * directory walked.
 */
final class DirHandle {
  /** One listed name with what readdir passes to the kernel (d_ino and the type bits). */
  record Entry(String name, long ino, int typeBits) {}

  private final UnionPath path;
  private volatile List<Entry> entries;

  /** An open directory not listed yet. */
  DirHandle(UnionPath path) {
    this.path = path;
  }

  UnionPath path() {
    return path;
  }

  /** The listing taken so far, or null before the first read. */
  List<Entry> entries() {
    return entries;
  }

  void refresh(List<Entry> fresh) {
    this.entries = fresh;
  }
}
