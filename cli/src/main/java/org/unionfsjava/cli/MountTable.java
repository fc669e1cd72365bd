package org.unionfsjava.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The mounts of this process's mount namespace, as {@code /proc/self/mountinfo} lists them. */
final class MountTable {

  /** The filesystem type the kernel shows for a union mounted by this project. */
  static final String UNION_FS_TYPE = "fuse.unionfs-java";

  /**
   * One mount.
   *
   * @param mountPoint where it is mounted
   * @param fsType the filesystem type, e.g. {@code ext4} or {@code fuse.unionfs-java}
   * @param source what was mounted (device, fsname)
   */
  record Entry(Path mountPoint, String fsType, String source) {

    /** Whether this is a union mounted by unionfs-java. */
    boolean isUnion() {
      return UNION_FS_TYPE.equals(fsType);
    }
  }

  private final List<Entry> entries;

  private MountTable(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Reads the mount table from a mountinfo file. */
  static MountTable read(Path mountInfo) throws IOException {
    // decoded leniently: a mount whose names are not UTF-8 must not hide every other mount
    return parse(new String(Files.readAllBytes(mountInfo), StandardCharsets.UTF_8).lines().toList());
  }

  /** Parses mountinfo lines; lines it cannot read are skipped. */
  static MountTable parse(List<String> lines) {
    List<Entry> entries = new ArrayList<>();
    for (String line : lines) {
      // id parent major:minor root MOUNTPOINT options [optional...] - FSTYPE SOURCE superoptions
      String[] fields = line.split(" ");
      int separator = List.of(fields).indexOf("-");
      if (fields.length < 7 || separator < 6 || separator + 2 >= fields.length) {
        continue;
      }
      entries.add(new Entry(
          Path.of(unescape(fields[4])), unescape(fields[separator + 1]),
          unescape(fields[separator + 2])));
    }
    return new MountTable(entries);
  }

  /** The topmost mount at exactly this path (the last one mounted there), if any. */
  Optional<Entry> mountAt(Path mountPoint) {
    Optional<Entry> found = Optional.empty();
    for (Entry entry : entries) {
      if (entry.mountPoint().equals(mountPoint)) {
        found = Optional.of(entry);
      }
    }
    return found;
  }

  /** Every mount, in mount order. */
  List<Entry> entries() {
    return entries;
  }

  /** Undoes the kernel's octal escapes ({@code \040} for a space, {@code \134} for a backslash). */
  static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    byte[] raw = field.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == '\\' && isOctalTriple(raw, i + 1)) {
        out.write((raw[i + 1] - '0') * 64 + (raw[i + 2] - '0') * 8 + (raw[i + 3] - '0'));
        i += 3;
      } else {
        out.write(raw[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean isOctalTriple(byte[] raw, int from) {
    if (from + 3 > raw.length) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (raw[i] < '0' || raw[i] > '7') {
        return false;
      }
    }
    return true;
  }
}
