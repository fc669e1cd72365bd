package org.unionfsjava.fs;

import java.util.List;
import org.unionfsjava.model.UnionPath;

/**
 * An open directory: the merged listing taken at opendir (and again on a read from offset 0,
 * as rewinddir(3) asks), so offsets stay stable while the handle is open.
 */
final class DirHandle {
  /** One listed name with what readdir passes to the kernel (d_ino and the type bits). */
  record Entry(String name, long ino, int typeBits) {}

  private final UnionPath path;
  private volatile List<Entry> entries;

  DirHandle(UnionPath path, List<Entry> entries) {
    this.path = path;
    this.entries = entries;
  }

  UnionPath path() {
    return path;
  }

  List<Entry> entries() {
    return entries;
  }

  void refresh(List<Entry> fresh) {
    this.entries = fresh;
  }
}
