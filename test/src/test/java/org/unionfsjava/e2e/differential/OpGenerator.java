package org.unionfsjava.e2e.differential;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Draws the next operation from the seed and the model's current tree: paths come from the small
 * {@link LowerTree#NAMES} pool at up to three levels, mostly existing ones (so operations hit
 * lower files, copied-up files, whited-out names and recreated directories), some new ones, some
 * that cannot work (to compare error codes). Symlink targets are relative and never contain
 * "..", so no path through the mount can reach outside it.
 */
final class OpGenerator {
  private static final int[] FILE_MODES = {0644, 0600, 0755, 0444, 0640, 0700};
  private static final int[] CHMOD_MODES = {0600, 0644, 0700, 0755, 0444, 0555, 0640, 0400, 0750};
  private static final int[] DIR_MODES = {0755, 0700, 0750, 0777};

  private final Random r;
  private final java.util.Set<Op.Kind> skip;
  private List<String> files;
  private List<String> dirs;
  private List<String> emptyDirs;
  private List<String> links;
  private List<String> all;

  /** {@code skip}: kinds never generated (for diagnosing with one known bug out of the way). */
  OpGenerator(long seed, java.util.Set<Op.Kind> skip) {
    this.r = new Random(seed ^ 0x5DEECE66DL);
    this.skip = skip;
  }

  /** The next operation, given the model directory as it is now. */
  Op next(Path model) {
    scan(model);
    for (int i = 0; i < 1000; i++) {
      Op op = draw(model);
      if (!skip.contains(op.kind())) {
        return op;
      }
    }
    throw new IllegalStateException("every operation kind is skipped: " + skip);
  }

  private Op draw(Path model) {
    int w = r.nextInt(100);
    if (w < 11) {
      return Op.withData(Op.Kind.WRITE, pick(0.5, files, 0.1, dirs, 0.05, links), mode(FILE_MODES), 0, len(2000), r.nextLong());
    } else if (w < 14) {
      return Op.withData(Op.Kind.CREATE_EXCL, pick(0.2, files, 0.05, dirs, 0, links), mode(FILE_MODES), 0, len(1500), r.nextLong());
    } else if (w < 22) {
      return Op.withData(Op.Kind.APPEND, pick(0.8, files, 0.05, dirs, 0.05, links), 0, 0, 1 + r.nextInt(600), r.nextLong());
    } else if (w < 30) {
      String p = pick(0.85, files, 0.03, dirs, 0.04, links);
      long size = size(model, p);
      long offset = r.nextInt(4) == 0 ? size + r.nextInt(5000) : (long) (r.nextDouble() * (size + 1));
      return Op.withData(Op.Kind.PWRITE, p, 0, offset, 1 + r.nextInt(900), r.nextLong());
    } else if (w < 39) {
      String p = pick(0.85, files, 0.03, dirs, 0.04, links);
      long size = size(model, p);
      long len = switch (r.nextInt(4)) {
        case 0 -> 0;
        case 1 -> size / 2;
        case 2 -> size + 1 + r.nextInt(3000);
        default -> size > 0 ? r.nextInt((int) Math.min(size, Integer.MAX_VALUE)) : 10;
      };
      return Op.truncate(p, len);
    } else if (w < 48) {
      return Op.simple(Op.Kind.UNLINK, pick(0.7, files, 0.07, dirs, 0.1, links));
    } else if (w < 56) {
      return Op.withMode(Op.Kind.MKDIR, pick(0.08, files, 0.1, dirs, 0, links), mode(DIR_MODES));
    } else if (w < 64) {
      String p = !emptyDirs.isEmpty() && r.nextInt(2) == 0 ? any(emptyDirs) : pick(0.08, files, 0.75, dirs, 0.03, links);
      return Op.simple(Op.Kind.RMDIR, p);
    } else if (w < 78) {
      return rename();
    } else if (w < 82) {
      String at = pick(0.08, files, 0.04, dirs, 0.03, links);
      return Op.twoPaths(Op.Kind.SYMLINK, at, symlinkTarget(at));
    } else if (w < 87) {
      String from = pick(0.8, files, 0.07, dirs, 0.08, links);
      return Op.twoPaths(Op.Kind.LINK, from, freshOrExisting(0.15));
    } else if (w < 93) {
      return Op.withMode(Op.Kind.CHMOD, pick(0.55, files, 0.3, dirs, 0.07, links), mode(CHMOD_MODES));
    } else {
      long mtime = (1_000_000_000L + r.nextInt(1_000_000_000)) * 1_000_000_000L + r.nextInt(1_000_000_000);
      long atime = mtime + r.nextInt(1_000_000) * 1_000_000_000L + r.nextInt(1_000_000_000);
      boolean noFollow = !links.isEmpty() && r.nextInt(3) == 0;
      String p = noFollow && r.nextBoolean() ? any(links) : pick(0.6, files, 0.2, dirs, 0.1, links);
      return Op.utimes(p, atime, mtime, noFollow);
    }
  }

  private Op rename() {
    int k = r.nextInt(10);
    if (k < 3 && !files.isEmpty()) { // file to a new name
      return Op.twoPaths(Op.Kind.RENAME, any(files), fresh());
    } else if (k < 5 && files.size() > 1) { // file over an existing file
      return Op.twoPaths(Op.Kind.RENAME, any(files), any(files));
    } else if (k < 8 && !dirs.isEmpty()) { // directory to a new name (or over an empty one)
      String to = !emptyDirs.isEmpty() && r.nextInt(5) == 0 ? any(emptyDirs) : fresh();
      return Op.twoPaths(Op.Kind.RENAME, any(dirs), to);
    } else { // anything to anything
      return Op.twoPaths(Op.Kind.RENAME, pick(0.4, files, 0.3, dirs, 0.1, links), freshOrExisting(0.5));
    }
  }

  /** A relative target without "..": a name or path below the link's directory, or itself. */
  private String symlinkTarget(String at) {
    String parent = at.contains("/") ? at.substring(0, at.lastIndexOf('/') + 1) : "";
    List<String> below = new ArrayList<>();
    for (String p : all) {
      if (p.startsWith(parent) && !p.equals(at)) {
        below.add(p.substring(parent.length()));
      }
    }
    int k = r.nextInt(10);
    if (k == 0) {
      return at.substring(parent.length()); // a loop: ELOOP when followed
    } else if (k < 3 || below.isEmpty()) {
      return name(); // maybe dangling
    }
    return any(below);
  }

  /** With the given probabilities an existing file, directory or symlink, otherwise a new path. */
  private String pick(double pFile, List<String> fs, double pDir, List<String> ds, double pLink, List<String> ls) {
    double x = r.nextDouble();
    if (x < pFile && !fs.isEmpty()) {
      return any(fs);
    }
    if (x >= pFile && x < pFile + pDir && !ds.isEmpty()) {
      return any(ds);
    }
    if (x >= pFile + pDir && x < pFile + pDir + pLink && !ls.isEmpty()) {
      return any(ls);
    }
    return freshOrExisting(0.1);
  }

  private String freshOrExisting(double pExisting) {
    return r.nextDouble() < pExisting && !all.isEmpty() ? any(all) : fresh();
  }

  /** Mostly a name that does not exist yet under an existing directory; sometimes any path. */
  private String fresh() {
    if (r.nextInt(10) < 8) {
      for (int i = 0; i < 6; i++) {
        List<String> parents = new ArrayList<>();
        parents.add("");
        for (String d : dirs) {
          if (d.split("/").length < LowerTree.MAX_DEPTH) {
            parents.add(d + "/");
          }
        }
        String p = any(parents) + name();
        if (!all.contains(p)) {
          return p;
        }
      }
    }
    int depth = 1 + r.nextInt(LowerTree.MAX_DEPTH);
    StringBuilder sb = new StringBuilder(name());
    for (int i = 1; i < depth; i++) {
      sb.append('/').append(name());
    }
    return sb.toString();
  }

  private String name() {
    return any(LowerTree.NAMES);
  }

  private <T> T any(List<T> list) {
    return list.get(r.nextInt(list.size()));
  }

  private int mode(int[] modes) {
    return modes[r.nextInt(modes.length)];
  }

  private int len(int max) {
    return r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(max);
  }

  private static long size(Path model, String rel) {
    try {
      return Files.size(model.resolve(rel)); // follows symlinks, as the calls do
    } catch (IOException e) {
      return 100;
    }
  }

  private void scan(Path model) {
    files = new ArrayList<>();
    dirs = new ArrayList<>();
    emptyDirs = new ArrayList<>();
    links = new ArrayList<>();
    all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(model)) {
      for (Path p : s.sorted().toList()) {
        if (p.equals(model)) {
          continue;
        }
        String rel = model.relativize(p).toString();
        all.add(rel);
        if (Files.isSymbolicLink(p)) {
          links.add(rel);
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          dirs.add(rel);
          try (Stream<Path> c = Files.list(p)) {
            if (c.findAny().isEmpty()) {
              emptyDirs.add(rel);
            }
          }
        } else {
          files.add(rel);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
