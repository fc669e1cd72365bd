package org.unionfsjava.fs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.model.NameCharset;

/**
 * The kernel's mount table, {@code /proc/self/mountinfo}: what is mounted, and how to undo a
 * union's mount. The one reader of it in the project (the CLI, the offline tools' {@code
 * LiveMounts} and {@link OverlayMounts} use it too).
 *
 * <p>Names are bytes: the table is split into lines and fields as bytes, the kernel's octal
 * escapes ({@code \040} space, {@code \011} tab, {@code \012} newline, {@code \134} backslash, and
 * {@code \054} comma in overlayfs's option values) are decoded to the bytes they stand for, and only
 * then does an {@link Entry} give a field as text (a path NIO understands: {@link
 * Entry#mountPoint}, UTF-8 as the JVM maps paths); a mount point is compared by its bytes ({@link
 * #mountAt}), so a name that is not UTF-8 is never taken for another. A line it cannot read is
 * skipped, so one odd mount never hides the others.
 */
public final class MountTable {
  private static final Logger LOG = LogManager.getLogger();
  /** The type /proc/self/mountinfo shows for a unionfs-java mount. */
  public static final String FS_TYPE = "fuse.unionfs-java";
  /** This process's mount table. */
  static final Path SELF = Path.of("/proc/self/mountinfo");

  /** One mount: its mount point, type, source and superblock options, each as the kernel's bytes. */
  public static final class Entry {
    private final byte[] mountPoint;
    private final String fsType;
    private final byte[] source;
    private final List<byte[]> superOptions;

    Entry(byte[] mountPoint, String fsType, byte[] source, List<byte[]> superOptions) {
      this.mountPoint = mountPoint;
      this.fsType = fsType;
      this.source = source;
      this.superOptions = List.copyOf(superOptions);
    }

    /** The mount point's bytes. */
    byte[] mountPointBytes() {
      return mountPoint.clone();
    }

    /** The mount point as a path NIO understands (its bytes as UTF-8). */
    public Path mountPoint() {
      return Path.of(platform(mountPoint));
    }

    /** The filesystem type, e.g. {@code ext4}, {@code overlay} or {@code fuse.unionfs-java}. */
    public String fsType() {
      return fsType;
    }

    /** What was mounted (device, fsname), as text for people. */
    public String source() {
      return platform(source);
    }

    /** The source's bytes. */
    byte[] sourceBytes() {
      return source.clone();
    }

    /**
     * The superblock options (the last field: {@code rw,upperdir=...}), one per comma of the
     * table, each unescaped, as text (UTF-8); a comma inside a value was {@code \054}.
     */
    public List<String> superOptions() {
      List<String> out = new ArrayList<>(superOptions.size());
      for (byte[] option : superOptions) {
        out.add(platform(option));
      }
      return out;
    }

    /** Whether this is a union mounted by unionfs-java. */
    public boolean isUnion() {
      return FS_TYPE.equals(fsType);
    }

    /** Whether this mount is at exactly this path (compared as the bytes NIO maps it to). */
    boolean isAt(Path path) {
      return Arrays.equals(mountPoint, path.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return fsType + " " + source() + " at " + mountPoint();
    }
  }

  private final List<Entry> entries;

  private MountTable(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Reads a mount table ({@link #SELF}, or a copy of one). */
  public static MountTable read(Path mountInfo) throws IOException {
    return parse(Files.readAllBytes(mountInfo));
  }

  /** Parses mountinfo text; lines it cannot read are skipped. */
  static MountTable parse(byte[] mountInfo) {
    List<Entry> entries = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= mountInfo.length; i++) {
      if (i == mountInfo.length || mountInfo[i] == '\n') {
        Entry e = line(Arrays.copyOfRange(mountInfo, start, i));
        if (e != null) {
          entries.add(e);
        }
        start = i + 1;
      }
    }
    return new MountTable(entries);
  }

  /**
   * One line: {@code id parent major:minor root MOUNTPOINT options [optional...] - FSTYPE SOURCE
   * SUPEROPTIONS}; null if it does not have these fields.
   */
  private static Entry line(byte[] line) {
    List<byte[]> fields = split(line, (byte) ' ');
    int separator = -1;
    for (int i = 6; i < fields.size(); i++) {
      if (fields.get(i).length == 1 && fields.get(i)[0] == '-') {
        separator = i;
        break;
      }
    }
    if (separator < 0 || separator + 2 >= fields.size()) {
      return null;
    }
    List<byte[]> options = new ArrayList<>();
    if (separator + 3 < fields.size()) {
      for (byte[] option : split(fields.get(separator + 3), (byte) ',')) {
        options.add(unescape(option));
      }
    }
    return new Entry(unescape(fields.get(4)),
        new String(unescape(fields.get(separator + 1)), StandardCharsets.UTF_8),
        unescape(fields.get(separator + 2)), options);
  }

  private static List<byte[]> split(byte[] bytes, byte separator) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == separator) {
        out.add(Arrays.copyOfRange(bytes, start, i));
        start = i + 1;
      }
    }
    return out;
  }

  /** Undoes the kernel's octal escapes: {@code \ooo} is the byte ooo; anything else stays. */
  static byte[] unescape(byte[] field) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(field.length);
    for (int i = 0; i < field.length; i++) {
      if (field[i] == '\\' && isOctalTriple(field, i + 1)) {
        out.write((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
        i += 3;
      } else {
        out.write(field[i]);
      }
    }
    return out.toByteArray();
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

  /** Bytes as text, leniently: a name that is not UTF-8 shows replacement characters. */
  private static String platform(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The topmost mount at exactly this path (the last one mounted there), if any. */
  public Optional<Entry> mountAt(Path mountPoint) {
    Optional<Entry> found = Optional.empty();
    for (Entry entry : entries) {
      if (entry.isAt(mountPoint)) {
        found = Optional.of(entry);
      }
    }
    return found;
  }

  /** Every mount, in mount order. */
  public List<Entry> entries() {
    return entries;
  }

  /** This process's mount table; empty (with a warning in the log) if it cannot be read. */
  private static MountTable ofThisProcess() {
    try {
      return read(SELF);
    } catch (IOException e) {
      LOG.warn("cannot read {}: {}", SELF, e.getMessage());
      return new MountTable(List.of());
    }
  }

  /** The filesystem type mounted at this path (the topmost mount), or null. */
  static String fsTypeAt(Path mountPoint) {
    return ofThisProcess().mountAt(mountPoint.toAbsolutePath().normalize())
        .map(Entry::fsType).orElse(null);
  }

  /** True if a unionfs-java mount is at this path. */
  static boolean isUnionMounted(Path mountPoint) {
    return FS_TYPE.equals(fsTypeAt(mountPoint));
  }

  /**
   * Unmounts: umount(8) (root), else fusermount3/fusermount -u; with {@code lazy} detaches a busy
   * mount. Returns true if nothing is mounted there afterwards.
   */
  static boolean unmount(Path mountPoint, boolean lazy) {
    String mp = mountPoint.toAbsolutePath().normalize().toString();
    List<List<String>> attempts = lazy
        ? List.of(List.of("umount", "-l", mp), List.of("fusermount3", "-u", "-z", mp), List.of("fusermount", "-u", "-z", mp))
        : List.of(List.of("umount", mp), List.of("fusermount3", "-u", mp), List.of("fusermount", "-u", mp));
    for (List<String> cmd : attempts) {
      if (run(cmd) && fsTypeAt(mountPoint) == null) {
        return true;
      }
      if (!FS_TYPE.equals(fsTypeAt(mountPoint))) {
        return true;
      }
    }
    return !FS_TYPE.equals(fsTypeAt(mountPoint));
  }

  /** Unmounts, detaching lazily if a plain unmount fails (busy). */
  static boolean unmount(Path mountPoint) {
    return unmount(mountPoint, false) || unmount(mountPoint, true);
  }

  private static boolean run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(NameCharset.processCommand(cmd)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
