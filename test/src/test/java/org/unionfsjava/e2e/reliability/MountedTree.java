package org.unionfsjava.e2e.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.unionfsjava.e2e.support.RelInternalNames;

/**
 * What a mount shows now, read with lstat/readlink/read (never following symlinks), and its
 * comparison with an {@link ExpectedTree}. Contents are read lazily and kept, so several
 * candidate expectations can be compared with one reading.
 */
final class MountedTree {
  /** One object as the mount reports it; {@code kind} null for a device, fifo or socket. */
  record Entry(ExpectedTree.Kind kind, int mode, long size, long mtimeNs, String target) {}

  /** A write that was in flight at the kill: the file may hold any prefix of it (see {@link #diff}). */
  record PartialWrite(String path, long off, byte[] data) {}

  private static final int SAMPLE = 64 * 1024;
  /** Files up to this size are always compared byte for byte. */
  private static final int ALWAYS_FULL = 1 << 20;

  private final Path root;
  private final TreeMap<String, Entry> entries = new TreeMap<>();
  private final List<String> problems = new ArrayList<>();
  private final Map<String, byte[]> contents = new HashMap<>();

  private MountedTree(Path root) {
    this.root = root;
  }

  /** Walks the tree under {@code root} (a mount point). */
  static MountedTree read(Path root) {
    MountedTree t = new MountedTree(root);
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          if (!dir.equals(root)) {
            t.add(dir);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          t.add(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException exc) {
          t.problems.add("cannot read " + root.relativize(file) + ": " + exc);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return t;
  }

  private void add(Path p) {
    String rel = root.relativize(p).toString();
    try {
      Map<String, Object> a = Files.readAttributes(p, "unix:mode,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      Instant m = ((FileTime) a.get("lastModifiedTime")).toInstant();
      long mtime = m.getEpochSecond() * 1_000_000_000L + m.getNano();
      ExpectedTree.Kind kind = switch (mode & 0170000) {
        case 0100000 -> ExpectedTree.Kind.FILE;
        case 0040000 -> ExpectedTree.Kind.DIR;
        case 0120000 -> ExpectedTree.Kind.LINK;
        default -> null;
      };
      String target = kind == ExpectedTree.Kind.LINK ? Files.readSymbolicLink(p).toString() : null;
      entries.put(rel, new Entry(kind, mode & 07777, (Long) a.get("size"), mtime, target));
    } catch (IOException e) {
      problems.add("cannot stat " + rel + ": " + e);
    }
  }

  Map<String, Entry> entries() {
    return entries;
  }

  /** Errors met while walking (a name listed but not stat-able is a broken tree). */
  List<String> problems() {
    return problems;
  }

  /** Every listed name that is one of the union's internal names (DESIGN §2, package-info rule 5). */
  List<String> internalNames() {
    List<String> out = new ArrayList<>();
    for (String rel : entries.keySet()) {
      String name = rel.substring(rel.lastIndexOf('/') + 1);
      if (RelInternalNames.isInternal(name)) {
        out.add(rel);
      }
    }
    return out;
  }

  byte[] content(String rel) {
    return contents.computeIfAbsent(rel, r -> {
      try {
        return Files.readAllBytes(root.resolve(r));
      } catch (IOException e) {
        return null;
      }
    });
  }

  /**
   * The differences between this tree and an expectation, empty if they agree. {@code
   * fullCheck}: paths whose content is compared byte for byte whatever their size (the rest
   * above 1 MiB are compared on samples: first, last and four seeded 64 KiB windows). {@code
   * partial}: a write in flight at the kill, whose file may hold any prefix of the written bytes.
   */
  List<String> diff(ExpectedTree expected, Set<String> fullCheck, PartialWrite partial, long sampleSeed) {
    List<String> out = new ArrayList<>(problems);
    TreeSet<String> keys = new TreeSet<>(expected.nodes().keySet());
    keys.addAll(entries.keySet());
    for (String rel : keys) {
      ExpectedTree.Node e = expected.get(rel);
      Entry a = entries.get(rel);
      if (e == null) {
        out.add("+ " + rel + " is visible but should not exist: " + a);
        continue;
      }
      if (a == null) {
        out.add("- " + rel + " is missing (expected " + e + ")");
        continue;
      }
      if (a.kind() != e.kind()) {
        out.add("~ " + rel + ": expected " + e + ", got " + a);
        continue;
      }
      switch (e.kind()) {
        case LINK -> {
          if (!e.target().equals(a.target())) {
            out.add("~ " + rel + ": link target expected " + e.target() + ", got " + a.target());
          }
        }
        case DIR -> {
          if (a.mode() != e.mode()) {
            out.add("~ " + rel + ": dir mode expected 0" + Integer.toOctalString(e.mode()) + ", got 0"
                + Integer.toOctalString(a.mode()));
          }
        }
        case FILE -> compareFile(rel, e, a, fullCheck, partial, sampleSeed, out);
        default -> throw new IllegalStateException();
      }
    }
    return out;
  }

  private void compareFile(String rel, ExpectedTree.Node e, Entry a, Set<String> fullCheck, PartialWrite partial,
      long sampleSeed, List<String> out) {
    if (a.mode() != e.mode()) {
      out.add("~ " + rel + ": mode expected 0" + Integer.toOctalString(e.mode()) + ", got 0" + Integer.toOctalString(a.mode()));
    }
    boolean partialHere = partial != null && partial.path().equals(rel);
    // a write cut short may have changed the mtime (if any byte landed) or not
    if (!partialHere && e.mtimeNs() != null && e.mtimeNs() != a.mtimeNs()) {
      out.add("~ " + rel + ": mtime expected " + e.mtimeNs() + ", got " + a.mtimeNs());
    }
    if (partialHere) {
      String why = partialMismatch(e.data(), partial, content(rel));
      if (why != null) {
        out.add("~ " + rel + ": not the old content with a prefix of the in-flight write: " + why);
      }
      return;
    }
    if (a.size() != e.size()) {
      out.add("~ " + rel + ": size expected " + e.size() + ", got " + a.size());
      return;
    }
    byte[] exp = e.data();
    if (exp.length <= ALWAYS_FULL || fullCheck.contains(rel)) {
      byte[] got = content(rel);
      if (got == null) {
        out.add("~ " + rel + ": unreadable");
      } else if (!Arrays.equals(exp, got)) {
        out.add("~ " + rel + ": content differs at byte " + Arrays.mismatch(exp, got) + " (size " + got.length + ")");
      }
      return;
    }
    Random r = new Random(sampleSeed ^ rel.hashCode());
    List<Long> offsets = new ArrayList<>(List.of(0L, (long) exp.length - SAMPLE));
    for (int i = 0; i < 4; i++) {
      offsets.add((long) r.nextInt(exp.length - SAMPLE));
    }
    try (var ch = java.nio.channels.FileChannel.open(root.resolve(rel))) {
      for (long off : offsets) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(SAMPLE);
        while (buf.hasRemaining() && ch.read(buf, off + buf.position()) > 0) {
          // read the whole window
        }
        byte[] got = Arrays.copyOf(buf.array(), buf.position());
        byte[] want = Arrays.copyOfRange(exp, (int) off, (int) off + SAMPLE);
        if (!Arrays.equals(want, got)) {
          out.add("~ " + rel + ": content differs in the 64 KiB window at " + off);
          return;
        }
      }
    } catch (IOException ex) {
      out.add("~ " + rel + ": unreadable: " + ex);
    }
  }

  /**
   * Null if {@code got} is {@code old} with some prefix of the in-flight write applied (a
   * process killed in write(2) can leave that on any filesystem); otherwise why not.
   */
  static String partialMismatch(byte[] old, PartialWrite w, byte[] got) {
    if (got == null) {
      return "unreadable";
    }
    int off = (int) w.off();
    byte[] data = w.data();
    int m = 0;
    while (m < data.length && off + m < got.length && got[off + m] == data[m]) {
      m++;
    }
    int p;
    if (got.length > old.length) {
      p = got.length - off;
    } else {
      int r = -1;
      for (int j = Math.min(got.length, off + data.length) - 1; j >= off; j--) {
        if (j >= old.length || got[j] != old[j]) {
          r = j;
          break;
        }
      }
      p = r < 0 ? 0 : r - off + 1;
    }
    if (p < 0 || p > m) {
      return "no prefix fits (size " + got.length + ", old size " + old.length + ", write " + data.length + "@" + off + ")";
    }
    byte[] want = ExpectedTree.patched(old, off, data, p);
    return Arrays.equals(want, got) ? null
        : "differs at byte " + Arrays.mismatch(want, got) + " from old + " + p + " bytes of the write";
  }
}
