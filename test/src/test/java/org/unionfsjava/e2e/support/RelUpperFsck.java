package org.unionfsjava.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An fsck of a unionfs-java upper against what its mount shows (DESIGN §2–§3): every object in the
 * upper that is not a marker (whiteout, opaque or redirect marker) must be visible at the same
 * path in the merged view, since the upper is the topmost branch and nothing can hide it; every
 * whiteout either hides a name some lower has at that path ("hiding") or hides nothing
 * ("harmless", e.g. left by a rename chain); and in the aufs format a marker {@code .wh.NAME}
 * beside an object {@code NAME} in the same directory is a "pair": the package-info documents it
 * as what a crash between the two steps of a replace leaves, so after crash-free operation it is a
 * leftover. The work directory at the upper's root is skipped, and its {@code tmp} area is reported
 * separately.
 */
public final class RelUpperFsck {
  /** What the fsck found. */
  public record Report(List<String> orphans, List<String> pairs, int whiteoutsHiding, int whiteoutsHarmless,
      List<String> workTemps) {
    /** Orphans and pairs, one line each (empty when clean). */
    public List<String> problems(boolean pairsAllowed) {
      List<String> out = new ArrayList<>();
      orphans.forEach(o -> out.add("upper object not visible in the mount: " + o));
      if (!pairsAllowed) {
        pairs.forEach(p -> out.add("aufs whiteout beside its own object (a crash leftover, but there was no crash): " + p));
      }
      return out;
    }
  }

  private RelUpperFsck() {}

  /**
   * Checks {@code upper} (format "overlay" or "aufs") against {@code visible}, the relative paths
   * the mount shows; {@code lowers} for classifying whiteouts.
   */
  public static Report check(Path upper, String format, Set<String> visible, List<Path> lowers) {
    boolean aufs = "aufs".equals(format);
    Path work = upper.resolve(".unionfs-java");
    List<String> orphans = new ArrayList<>();
    List<String> pairs = new ArrayList<>();
    int[] hiding = {0};
    int[] harmless = {0};
    try {
      Files.walkFileTree(upper, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          if (dir.equals(work)) {
            return FileVisitResult.SKIP_SUBTREE;
          }
          if (!dir.equals(upper)) {
            visit(dir);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          visit(file);
          return FileVisitResult.CONTINUE;
        }

        private void visit(Path p) {
          String rel = upper.relativize(p).toString();
          String name = p.getFileName().toString();
          String whitedOut = null;
          if (aufs && name.startsWith(".wh.")) {
            if (name.startsWith(".wh..wh.")) {
              return; // opaque, redirect and other meta markers
            }
            whitedOut = rel.substring(0, rel.length() - name.length()) + name.substring(4);
            if (Files.exists(p.resolveSibling(name.substring(4)), LinkOption.NOFOLLOW_LINKS)) {
              pairs.add(rel);
            }
          } else if (!aufs && isOverlayWhiteout(p)) {
            whitedOut = rel;
          }
          if (whitedOut != null) {
            String w = whitedOut;
            if (lowers.stream().anyMatch(l -> Files.exists(l.resolve(w), LinkOption.NOFOLLOW_LINKS))) {
              hiding[0]++;
            } else {
              harmless[0]++;
            }
            return;
          }
          if (!visible.contains(rel)) {
            orphans.add(rel);
          }
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> temps = new ArrayList<>();
    Path tmp = work.resolve("tmp");
    if (Files.isDirectory(tmp)) {
      try (var s = Files.list(tmp)) {
        s.forEach(t -> temps.add(t.getFileName().toString()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new Report(orphans, pairs, hiding[0], harmless[0], temps);
  }

  /** An overlay whiteout: a character device 0/0. */
  public static boolean isOverlayWhiteout(Path p) {
    try {
      Map<String, Object> a = Files.readAttributes(p, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
      return ((Integer) a.get("mode") & 0170000) == 0020000 && (Long) a.get("rdev") == 0L;
    } catch (IOException e) {
      return false;
    }
  }
}
