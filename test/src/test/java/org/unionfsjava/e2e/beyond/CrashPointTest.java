package org.unionfsjava.e2e.beyond;

import static org.junit.jupiter.api.Assertions.fail;
import static org.unionfsjava.e2e.support.Fixture.dir;
import static org.unionfsjava.e2e.support.Fixture.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.BeyondFacts;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.LowersUnchanged;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 3.1, crash in the middle: the daemon runs with {@code -Dunionfs.crash-at=POINT} (through
 * the launcher's {@code UNIONFS_JAVA_OPTS}, as {@link RelUnion} passes it) and halts like SIGKILL
 * when an operation reaches that point; the operation fails (the mount is dead), the dead mount is
 * cleared, the same branches are mounted again (armed only with the next case's point, which the
 * read-only checks cannot reach), and the whole merged tree
 * must be exactly the tree before the operation or the tree after it: a renamed directory at its
 * old name or at its new name (never both, never neither, always with all its lower content), a
 * copied-up file with its old or its new content (never partial), no temporary or internal name,
 * an empty temp area in the work directory, the lowers unchanged.
 *
 * <p>A point the operation does not reach on this upper (overlay renames use RENAME_WHITEOUT and
 * never get to {@code whiteout.after-marker}) lets it complete; the tree must then be the new one.
 * CI runs the points each operation reaches first or that matter most; {@code
 * -Dunionfs.long=true} runs every (operation, point) pair.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@DisplayName("beyond overlayfs: crash points inside rename, exchange, copy-up, whiteout and create")
class CrashPointTest {
  static final boolean LONG = Boolean.getBoolean("unionfs.long");
  static final String JVM = "-XX:TieredStopAtLevel=1";
  static final byte[] BIG = Fixture.bytes(3 << 20, 7);
  static final byte[] APPENDED = "appended".getBytes(StandardCharsets.UTF_8);

  @RegisterExtension
  final LowersUnchanged lowers = new LowersUnchanged();

  /**
   * An operation through the union that a crash point can interrupt, on the objects of case
   * number {@code i} (each case has its own names in the shared branches).
   */
  enum Op {
    /** rename(2) of the lower directory d{i} (20 files, a subdirectory) to e{i}. */
    DIR_RENAME(List.of("rename.after-copyup", "rename.after-redirect", "rename.before-final",
        "whiteout.after-marker"), List.of("copyup.after-data", "copyup.after-rename")) {
      @Override
      void fill(Path lower, Path upper, String format, int i) {
        for (int j = 0; j < 20; j++) {
          file(lower.resolve("d" + i + "/f" + j), "d" + j);
        }
        file(lower.resolve("d" + i + "/sub/s"), "s");
      }

      @Override
      Syscalls.Call apply(RelUnion u, int i) {
        return Syscalls.rename(u.at("d" + i), u.at("e" + i));
      }

      @Override
      Map<String, String> after(Map<String, String> before, int i) {
        return renamed(before, "d" + i, "e" + i);
      }
    },
    /** rename(2) of the lower file r{i} to r{i}b. */
    FILE_RENAME(List.of(), List.of("copyup.after-data", "copyup.after-rename", "rename.after-copyup",
        "rename.before-final", "whiteout.after-marker")) {
      @Override
      void fill(Path lower, Path upper, String format, int i) {
        file(lower.resolve("r" + i), "r");
      }

      @Override
      Syscalls.Call apply(RelUnion u, int i) {
        return Syscalls.rename(u.at("r" + i), u.at("r" + i + "b"));
      }

      @Override
      Map<String, String> after(Map<String, String> before, int i) {
        return renamed(before, "r" + i, "r" + i + "b");
      }
    },
    /** renameat2(RENAME_EXCHANGE) of the lower directory xd{i} (5 files, a subdirectory) and the lower file xf{i}. */
    EXCHANGE(List.of("exchange.after-copyup", "exchange.before-final"),
        List.of("copyup.after-data", "copyup.after-rename")) {
      @Override
      void fill(Path lower, Path upper, String format, int i) {
        for (int j = 0; j < 5; j++) {
          file(lower.resolve("xd" + i + "/f" + j), "x" + j);
        }
        file(lower.resolve("xd" + i + "/sub/s"), "s");
        file(lower.resolve("xf" + i), "exchanged file");
      }

      @Override
      Syscalls.Call apply(RelUnion u, int i) {
        return Syscalls.renameat2(u.at("xd" + i), u.at("xf" + i), Syscalls.RENAME_EXCHANGE);
      }

      @Override
      Map<String, String> after(Map<String, String> before, int i) {
        Map<String, String> aside = renamed(before, "xd" + i, "xd" + i + ".aside");
        return renamed(renamed(aside, "xf" + i, "xd" + i), "xd" + i + ".aside", "xf" + i);
      }
    },
    /** Appending to the 3 MiB lower file f{i} (a full copy-up). */
    APPEND(List.of("copyup.after-data"), List.of("copyup.after-rename")) {
      @Override
      void fill(Path lower, Path upper, String format, int i) {
        file(lower.resolve("f" + i), BIG);
      }

      @Override
      Syscalls.Call apply(RelUnion u, int i) {
        try {
          Files.write(u.at("f" + i), APPENDED, StandardOpenOption.APPEND);
          return new Syscalls.Call("append", 0, null);
        } catch (IOException e) {
          return new Syscalls.Call("append", -1, e.toString());
        }
      }

      @Override
      Map<String, String> after(Map<String, String> before, int i) {
        Map<String, String> m = new TreeMap<>(before);
        byte[] all = new byte[BIG.length + APPENDED.length];
        System.arraycopy(BIG, 0, all, 0, BIG.length);
        System.arraycopy(APPENDED, 0, all, BIG.length, APPENDED.length);
        m.put("f" + i, "file 644 " + sha16(all));
        return m;
      }
    },
    /** unlink(2) of the lower file x{i} (a whiteout). */
    UNLINK(List.of("whiteout.after-marker"), List.of()) {
      @Override
      void fill(Path lower, Path upper, String format, int i) {
        file(lower.resolve("x" + i), "x");
      }

      @Override
      Syscalls.Call apply(RelUnion u, int i) {
        return Syscalls.unlink(u.at("x" + i));
      }

      @Override
      Map<String, String> after(Map<String, String> before, int i) {
        Map<String, String> m = new TreeMap<>(before);
        m.remove("x" + i);
        return m;
      }
    },
    /** rmdir(2) of the empty lower directory rd{i} (a whiteout). */
    RMDIR(List.of(), List.of("whiteout.after-marker")) {
      @Override
      void fill(Path lower, Path upper, String format, int i) {
        dir(lower.resolve("rd" + i));
      }

      @Override
      Syscalls.Call apply(RelUnion u, int i) {
        return Syscalls.rmdir(u.at("rd" + i));
      }

      @Override
      Map<String, String> after(Map<String, String> before, int i) {
        Map<String, String> m = new TreeMap<>(before);
        m.remove("rd" + i);
        return m;
      }
    },
    /** mkdir(2) over a whiteout (made in the upper before mounting) of the lower directory w{i}. */
    CREATE_OVER_WHITEOUT(List.of("create.after-temp"), List.of()) {
      @Override
      void fill(Path lower, Path upper, String format, int i) {
        file(lower.resolve("w" + i + "/inside"), "must stay hidden");
        BeyondFacts.makeWhiteout(format, upper, "w" + i);
      }

      @Override
      Syscalls.Call apply(RelUnion u, int i) {
        return Syscalls.mkdir(u.at("w" + i), 0755);
      }

      @Override
      Map<String, String> after(Map<String, String> before, int i) {
        Map<String, String> m = new TreeMap<>(before);
        m.put("w" + i, "dir 755");
        return m;
      }
    };

    final List<String> ciPoints;
    final List<String> longPoints;

    Op(List<String> ciPoints, List<String> longPoints) {
      this.ciPoints = ciPoints;
      this.longPoints = longPoints;
    }

    /** Puts case i's objects into the branches (before the first mount). */
    abstract void fill(Path lower, Path upper, String format, int i);

    abstract Syscalls.Call apply(RelUnion u, int i);

    /** The tree after the operation completed, from the tree before it. */
    abstract Map<String, String> after(Map<String, String> before, int i);
  }

  /** One (operation, crash point) pair. */
  record Case(Op op, String point) {
    @Override
    public String toString() {
      return op + " at " + point;
    }
  }

  static Map<String, String> renamed(Map<String, String> before, String from, String to) {
    Map<String, String> m = new TreeMap<>();
    before.forEach((k, v) -> {
      if (k.equals(from)) {
        m.put(to, v);
      } else if (k.startsWith(from + "/")) {
        m.put(to + k.substring(from.length()), v);
      } else {
        m.put(k, v);
      }
    });
    return m;
  }

  static String sha16(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Case> cases() {
    List<Case> out = new ArrayList<>();
    for (Op op : Op.values()) {
      op.ciPoints.forEach(p -> out.add(new Case(op, p)));
      if (LONG) {
        op.longPoints.forEach(p -> out.add(new Case(op, p)));
      }
    }
    return out;
  }

  /**
   * The cases run one after the other on one set of branches: the mount that checks case i after
   * its crash (reading only) is armed with case i+1's point, so n cases cost n+1 mounts. Every
   * case is checked; the test fails listing every case whose outcome was wrong.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void crashLeavesOldOrNewTree(UnionSystem system, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    List<Case> cases = cases();
    RelUnion u = RelUnion.create(tmp, 1, system);
    for (int i = 0; i < cases.size(); i++) {
      cases.get(i).op().fill(u.lower(1), u.upper(), system.whiteoutFormat(), i);
    }
    file(u.lower(1).resolve("keep/k"), "k");
    lowers.watch(u.lowers());
    List<String> problems = new ArrayList<>();
    try {
      u.javaOpts(JVM + " -Dunionfs.crash-at=" + cases.get(0).point()).mount();
      Map<String, String> before = TreeSnapshot.of(u.mnt(), false);
      for (int i = 0; i < cases.size(); i++) {
        Case c = cases.get(i);
        Map<String, String> after = c.op().after(before, i);
        Syscalls.Call result = c.op().apply(u, i);
        boolean died = BeyondFacts.eventually(Duration.ofSeconds(10), () -> !u.alive());
        if (died) {
          if (result.ok()) {
            problems.add(c + ": the operation succeeded although the daemon halted");
          }
          u.kill();
          u.clearDeadMount();
        } else {
          if (!result.ok()) {
            problems.add(c + ": point not reached, yet the operation failed: " + result);
          }
          System.out.println("[beyond] " + system + " " + c + ": not reached, the operation completed");
          u.unmount();
        }
        String next = i + 1 < cases.size() ? " -Dunionfs.crash-at=" + cases.get(i + 1).point() : "";
        u.javaOpts(JVM + next).mount();
        Map<String, String> now = TreeSnapshot.of(u.mnt(), false);
        if (!now.equals(before) && !now.equals(after)) {
          problems.add(c + ": the tree is neither the old nor the new one.\n"
              + "    differences from the old tree: " + diff(before, now) + "\n"
              + "    differences from the new tree: " + diff(after, now) + "\n    upper: " + listing(u.upper()));
        } else {
          System.out.println("[beyond] " + system + " crash in " + c + ": " + (died ? "" : "(no crash) ")
              + (now.equals(before) ? "old tree" : "new tree"));
        }
        try (Stream<Path> s = Files.list(u.workDir().resolve("tmp"))) {
          List<Path> left = s.toList();
          if (!left.isEmpty()) {
            problems.add(c + ": temporaries left in the work directory after the mount: " + left);
          }
        }
        before = now;
      }
    } finally {
      u.close();
    }
    if (!problems.isEmpty()) {
      fail(problems.size() + " of " + cases.size() + " crash cases left a wrong state (package-info, "
          + "\"Atomicity and crashes\"):\n  " + String.join("\n  ", problems));
    }
  }

  static List<String> diff(Map<String, String> expected, Map<String, String> actual) {
    List<String> out = new ArrayList<>();
    for (String k : new java.util.TreeSet<>(expected.keySet())) {
      if (!actual.containsKey(k)) {
        out.add("missing " + k);
      } else if (!expected.get(k).equals(actual.get(k))) {
        out.add("changed " + k + ": " + expected.get(k) + " -> " + actual.get(k));
      }
    }
    actual.keySet().stream().filter(k -> !expected.containsKey(k)).forEach(k -> out.add("extra " + k));
    return out.size() > 12 ? List.copyOf(out.subList(0, 12)) : out;
  }

  static String listing(Path upper) {
    try (Stream<Path> s = Files.walk(upper, 2)) {
      return s.map(p -> upper.relativize(p).toString()).filter(p -> !p.startsWith(".unionfs-java")).sorted().toList().toString();
    } catch (IOException e) {
      return e.toString();
    }
  }
}
