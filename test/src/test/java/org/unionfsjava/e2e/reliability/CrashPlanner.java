package org.unionfsjava.e2e.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.unionfsjava.e2e.reliability.ExpectedTree.Kind;
import org.unionfsjava.e2e.reliability.ExpectedTree.Node;

/**
 * Plans the short workload that runs between two kills, from a seeded random source and the tree
 * the union shows now: copy-ups of 64 MiB lower files (open for write, one page written,
 * fsync), edits and creations of small files (also over whiteouts and inside lower-only
 * directories, which copies the parent chain up), renames of files and of directories with lower
 * content (also over an empty directory), unlinks and whole-tree removals (whiteouts), mkdir over
 * whiteouts (opaque), chmod, utimens, symlink and truncate. Every planned step succeeds on a
 * plain directory; the plan is simulated on a copy of the tree while it is made.
 */
final class CrashPlanner {
  private static final int[] FILE_MODES = {0644, 0600, 0640, 0604};
  private static final int[] DIR_MODES = {0755, 0700, 0750};
  private static final int PAGE = 4096;

  private final Random rnd;
  private final Set<String> lowerPaths;
  private final Set<String> bigFiles;
  private int fresh;

  CrashPlanner(Random rnd, Set<String> lowerPaths, Set<String> bigFiles) {
    this.rnd = rnd;
    this.lowerPaths = new TreeSet<>(lowerPaths);
    this.bigFiles = bigFiles;
  }

  /** True if some 64 MiB lower file was not copied up yet. */
  static boolean hasPristineBig(ExpectedTree t, Set<String> bigFiles) {
    return bigFiles.stream().anyMatch(b -> t.exists(b) && t.get(b).pristineLower());
  }

  /** A workload of about {@code ops} operations (several steps each), simulated on {@code sim}. */
  List<CrashStep> plan(ExpectedTree sim, boolean bigCopyUp, int ops) {
    List<CrashStep> steps = new ArrayList<>();
    if (bigCopyUp) {
      List<String> pristine = bigFiles.stream().filter(b -> sim.exists(b) && sim.get(b).pristineLower()).toList();
      if (!pristine.isEmpty()) {
        String big = pick(pristine);
        long off = (long) rnd.nextInt(Math.max(1, sim.get(big).data().length / PAGE)) * PAGE;
        add(steps, sim, new CrashStep.Open(big, 0, false, 0, true));
        add(steps, sim, new CrashStep.Write(big, 0, off, bytes(PAGE)));
        add(steps, sim, new CrashStep.Fsync(big, 0));
        add(steps, sim, new CrashStep.Close(big, 0));
      }
    }
    for (int i = 0; i < ops; i++) {
      planOne(steps, sim);
    }
    return steps;
  }

  private void planOne(List<CrashStep> steps, ExpectedTree sim) {
    for (int attempt = 0; attempt < 20; attempt++) {
      int before = steps.size();
      switch (rnd.nextInt(12)) {
        case 0, 1 -> editFile(steps, sim);
        case 2, 3 -> createFile(steps, sim);
        case 4 -> renameFile(steps, sim);
        case 5 -> renameDir(steps, sim);
        case 6 -> unlink(steps, sim);
        case 7 -> removeTree(steps, sim);
        case 8 -> mkdir(steps, sim);
        case 9 -> chmod(steps, sim);
        case 10 -> utimensOrSymlink(steps, sim);
        default -> truncate(steps, sim);
      }
      if (steps.size() > before) {
        return;
      }
    }
  }

  private void add(List<CrashStep> steps, ExpectedTree sim, CrashStep s) {
    s.apply(sim);
    steps.add(s);
  }

  private <T> T pick(List<T> list) {
    return list.get(rnd.nextInt(list.size()));
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  private List<String> smallFiles(ExpectedTree sim) {
    return sim.paths(Kind.FILE).stream().filter(p -> !bigFiles.contains(p) || !sim.get(p).pristineLower())
        .filter(p -> sim.get(p).size() < (1 << 20) || bigFiles.contains(p)).toList();
  }

  private List<String> dirsWithRoot(ExpectedTree sim) {
    List<String> dirs = new ArrayList<>(sim.paths(Kind.DIR));
    dirs.add("");
    return dirs;
  }

  private static String join(String dir, String name) {
    return dir.isEmpty() ? name : dir + "/" + name;
  }

  /** A name in {@code dir} that is not visible: a lower name that was deleted (a whiteout) or a fresh one. */
  private String newName(ExpectedTree sim, String dir) {
    if (rnd.nextInt(3) == 0) {
      List<String> hidden = new ArrayList<>();
      for (String p : lowerPaths) {
        int slash = p.lastIndexOf('/');
        String parent = slash < 0 ? "" : p.substring(0, slash);
        if (parent.equals(dir) && !sim.exists(p)) {
          hidden.add(p);
        }
      }
      if (!hidden.isEmpty()) {
        return pick(hidden);
      }
    }
    return join(dir, "n" + (++fresh));
  }

  private void editFile(List<CrashStep> steps, ExpectedTree sim) {
    List<String> files = smallFiles(sim);
    if (files.isEmpty()) {
      return;
    }
    String f = pick(files);
    int size = sim.get(f).data().length;
    long off;
    byte[] data;
    if (bigFiles.contains(f)) {
      off = (long) rnd.nextInt(Math.max(1, size / PAGE)) * PAGE;
      data = bytes(PAGE);
    } else {
      off = rnd.nextInt(size + 1);
      data = bytes(1 + rnd.nextInt(9000));
    }
    add(steps, sim, new CrashStep.Open(f, 0, false, 0, false));
    add(steps, sim, new CrashStep.Write(f, 0, off, data));
    if (rnd.nextBoolean()) {
      add(steps, sim, new CrashStep.Fsync(f, 0));
    }
    add(steps, sim, new CrashStep.Close(f, 0));
  }

  private void createFile(List<CrashStep> steps, ExpectedTree sim) {
    String f = newName(sim, pick(dirsWithRoot(sim)));
    add(steps, sim, new CrashStep.Open(f, 0, true, FILE_MODES[rnd.nextInt(FILE_MODES.length)], false));
    add(steps, sim, new CrashStep.Write(f, 0, 0, bytes(1 + rnd.nextInt(20000))));
    add(steps, sim, new CrashStep.Fsync(f, 0));
    add(steps, sim, new CrashStep.Close(f, 0));
  }

  private void renameFile(List<CrashStep> steps, ExpectedTree sim) {
    List<String> srcs = new ArrayList<>(sim.paths(Kind.FILE));
    srcs.addAll(sim.paths(Kind.LINK));
    srcs.removeIf(p -> bigFiles.contains(p) && sim.get(p).pristineLower()); // keep big copy-ups for their own step
    if (srcs.isEmpty()) {
      return;
    }
    String from = pick(srcs);
    String to;
    List<String> others = new ArrayList<>(smallFiles(sim));
    others.remove(from);
    if (rnd.nextInt(3) == 0 && !others.isEmpty()) {
      to = pick(others); // over an existing file
    } else {
      to = newName(sim, pick(dirsWithRoot(sim)));
    }
    add(steps, sim, new CrashStep.Rename(from, to, false));
  }

  private void renameDir(List<CrashStep> steps, ExpectedTree sim) {
    List<String> dirs = sim.paths(Kind.DIR);
    if (dirs.isEmpty()) {
      return;
    }
    String from = pick(dirs);
    List<String> parents = dirsWithRoot(sim).stream()
        .filter(d -> !d.equals(from) && !d.startsWith(from + "/")).toList();
    List<String> emptyDirs = dirs.stream()
        .filter(d -> !d.equals(from) && !d.startsWith(from + "/") && !from.startsWith(d + "/"))
        .filter(d -> sim.children(d).isEmpty()).toList();
    if (rnd.nextInt(4) == 0 && !emptyDirs.isEmpty()) {
      add(steps, sim, new CrashStep.Rename(from, pick(emptyDirs), true));
    } else {
      add(steps, sim, new CrashStep.Rename(from, newName(sim, pick(parents)), false));
    }
  }

  private void unlink(List<CrashStep> steps, ExpectedTree sim) {
    List<String> victims = new ArrayList<>(smallFiles(sim));
    victims.addAll(sim.paths(Kind.LINK));
    if (!victims.isEmpty()) {
      add(steps, sim, new CrashStep.Unlink(pick(victims)));
    }
  }

  private void removeTree(List<CrashStep> steps, ExpectedTree sim) {
    List<String> dirs = sim.paths(Kind.DIR).stream().filter(d -> {
      List<String> all = new ArrayList<>(sim.nodes().keySet());
      long n = all.stream().filter(p -> p.startsWith(d + "/")).count();
      boolean holdsPristineBig = bigFiles.stream().anyMatch(b -> b.startsWith(d + "/") && sim.exists(b) && sim.get(b).pristineLower());
      return n <= 12 && !holdsPristineBig;
    }).toList();
    if (dirs.isEmpty()) {
      return;
    }
    String d = pick(dirs);
    List<String> below = new ArrayList<>(sim.nodes().keySet().stream().filter(p -> p.startsWith(d + "/")).toList());
    below.sort((a, b) -> b.compareTo(a)); // children before their parents
    for (String p : below) {
      Node n = sim.get(p);
      add(steps, sim, n.kind() == Kind.DIR ? new CrashStep.Rmdir(p) : new CrashStep.Unlink(p));
    }
    add(steps, sim, new CrashStep.Rmdir(d));
  }

  private void mkdir(List<CrashStep> steps, ExpectedTree sim) {
    String parent = pick(dirsWithRoot(sim));
    String d = newName(sim, parent);
    add(steps, sim, new CrashStep.Mkdir(d, DIR_MODES[rnd.nextInt(DIR_MODES.length)], lowerPaths.contains(d)));
  }

  private void chmod(List<CrashStep> steps, ExpectedTree sim) {
    List<String> targets = new ArrayList<>(smallFiles(sim));
    targets.addAll(sim.paths(Kind.DIR));
    if (targets.isEmpty()) {
      return;
    }
    String t = pick(targets);
    int[] modes = sim.get(t).kind() == Kind.DIR ? DIR_MODES : FILE_MODES;
    add(steps, sim, new CrashStep.Chmod(t, modes[rnd.nextInt(modes.length)]));
  }

  private void utimensOrSymlink(List<CrashStep> steps, ExpectedTree sim) {
    List<String> files = smallFiles(sim);
    if (rnd.nextBoolean() && !files.isEmpty()) {
      long ns = 1_500_000_000_000_000_000L + rnd.nextInt(1_000_000) * 1_000_003L;
      add(steps, sim, new CrashStep.Utimens(pick(files), ns));
    } else {
      String l = newName(sim, pick(dirsWithRoot(sim)));
      add(steps, sim, new CrashStep.Symlink("target-" + rnd.nextInt(1000), l));
    }
  }

  private void truncate(List<CrashStep> steps, ExpectedTree sim) {
    List<String> files = smallFiles(sim).stream().filter(p -> !bigFiles.contains(p)).toList();
    if (files.isEmpty()) {
      return;
    }
    String f = pick(files);
    int size = sim.get(f).data().length;
    long len = switch (rnd.nextInt(3)) {
      case 0 -> 0;
      case 1 -> size / 2;
      default -> size + 3000;
    };
    add(steps, sim, new CrashStep.Truncate(f, len));
  }
}
