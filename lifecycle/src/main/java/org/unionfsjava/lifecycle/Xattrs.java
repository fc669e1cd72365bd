package org.unionfsjava.lifecycle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.WhiteoutFormat;

/** The extended attributes a user sees on an object: all but the union's and its format's own. */
final class Xattrs {
  private static final Logger LOG = LogManager.getLogger();

  private Xattrs() {}

  /** Name to value, in name order; a filesystem without xattrs has none. */
  static Map<String, Value> userVisible(BranchIo io, WhiteoutFormat format, Path p) throws IOException {
    Map<String, Value> out = new TreeMap<>();
    List<String> names;
    try {
      names = io.listXattrs(p);
    } catch (UnionException e) {
      if (unreadable(e.errno())) {
        return out;
      }
      throw e;
    }
    for (String name : names) {
      if (isUnionOwn(name, format)) {
        continue;
      }
      try {
        byte[] v = io.getXattr(p, name);
        if (v != null) {
          out.put(name, new Value(v));
        }
      } catch (UnionException e) {
        if (!unreadable(e.errno())) {
          throw e;
        }
      }
    }
    return out;
  }

  /** True for the union's and both formats' own xattrs (never copied into a plain tree or a layer). */
  static boolean isUnionOwn(String name, WhiteoutFormat format) {
    return format.isPrivateXattr(name) || name.startsWith("trusted.overlay.")
        || name.startsWith("trusted.unionfs.") || name.startsWith("user.unionfs.");
  }

  /** Copies the user-visible xattrs of {@code from} onto {@code to}; returns how many it could not. */
  static int copy(BranchIo io, WhiteoutFormat format, Path from, Path to) throws IOException {
    int skipped = 0;
    for (Map.Entry<String, Value> x : userVisible(io, format, from).entrySet()) {
      try {
        io.setXattr(to, x.getKey(), x.getValue().bytes(), 0);
      } catch (UnionException e) {
        if (!unreadable(e.errno())) {
          throw e;
        }
        LOG.debug("xattr {} of {} not copied: {}", x.getKey(), from, e.getMessage());
        skipped++;
      }
    }
    return skipped;
  }

  static boolean unreadable(Errno e) {
    return e == Errno.ENOTSUP || e == Errno.EACCES || e == Errno.EPERM || e == Errno.E2BIG
        || e == Errno.ERANGE || e == Errno.ENODATA;
  }

  /** The names of every xattr on {@code p}, or none where the filesystem has none. */
  static List<String> names(BranchIo io, Path p) throws IOException {
    try {
      return io.listXattrs(p);
    } catch (UnionException e) {
      if (unreadable(e.errno())) {
        return new ArrayList<>();
      }
      throw e;
    }
  }

  /** An xattr value (a record, so maps of them compare by content). */
  record Value(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Value && Arrays.equals(bytes, ((Value) o).bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return bytes.length + " bytes";
    }
  }
}
