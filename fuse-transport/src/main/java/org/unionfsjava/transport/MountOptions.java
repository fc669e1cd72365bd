package org.unionfsjava.transport;

import java.util.ArrayList;
import java.util.List;

/**
 * How a FUSE filesystem is mounted: what /proc/mounts shows (fsname as the source, fuse.subtype
 * as the type), who may use it (allow_other), whether the kernel checks permissions from the
 * attributes (default_permissions), the largest READ (max_read, 0: the kernel's default) and
 * further generic options (ro, noatime, ...).
 */
public record MountOptions(String fsname, String subtype, boolean allowOther, boolean defaultPermissions,
    int maxRead, List<String> extra) {

  public MountOptions {
    extra = List.copyOf(extra);
    for (String s : List.of(fsname, subtype)) {
      if (s.isEmpty() || s.contains(",") || s.contains(" ")) {
        throw new IllegalArgumentException("fsname and subtype need a name without ',' or ' ': '" + s + "'");
      }
    }
  }

  public static MountOptions of(String fsname, String subtype) {
    return new MountOptions(fsname, subtype, false, true, 0, List.of());
  }

  public MountOptions withAllowOther(boolean on) {
    return new MountOptions(fsname, subtype, on, defaultPermissions, maxRead, extra);
  }

  public MountOptions withDefaultPermissions(boolean on) {
    return new MountOptions(fsname, subtype, allowOther, on, maxRead, extra);
  }

  public MountOptions withMaxRead(int bytes) {
    return new MountOptions(fsname, subtype, allowOther, defaultPermissions, bytes, extra);
  }

  public MountOptions withExtra(String... options) {
    return new MountOptions(fsname, subtype, allowOther, defaultPermissions, maxRead, List.of(options));
  }

  /** The options of the FUSE filesystem itself, comma-separated (for mount(2) after fd=...). */
  String fuseOptions() {
    List<String> o = new ArrayList<>();
    if (defaultPermissions) {
      o.add("default_permissions");
    }
    if (allowOther) {
      o.add("allow_other");
    }
    if (maxRead > 0) {
      o.add("max_read=" + maxRead);
    }
    return String.join(",", o);
  }

  /** The -o argument of fusermount3: generic, FUSE and naming options. */
  String fusermountOptions() {
    List<String> o = new ArrayList<>(List.of("nosuid", "nodev"));
    o.addAll(extra);
    String f = fuseOptions();
    if (!f.isEmpty()) {
      o.add(f);
    }
    o.add("fsname=" + fsname);
    o.add("subtype=" + subtype);
    return String.join(",", o);
  }
}
