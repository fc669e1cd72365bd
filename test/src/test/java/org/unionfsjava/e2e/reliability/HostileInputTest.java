package org.unionfsjava.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.BranchChecksum;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.PosixExtras;
import org.unionfsjava.e2e.support.RelSyscalls;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.RelUpperFsck;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.Syscalls.Call;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Hostile input: odd names and symlinks, each tried on the union and on a plain directory with
 * the same starting tree; the union must give the plain directory's result (success or errno, and
 * the same names afterwards, compared as raw bytes), except for the names it reserves ({@link
 * #RESERVED}), must never write outside its branches, never show an internal name, never hide a
 * real one, and never change a lower.
 */
@Tag("mount")
@Tag("root")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@DisplayName("hostile input: odd names, long paths, reserved names, symlink loops and escapes")
class HostileInputTest {
  /**
   * Names the union reserves, with the error it answers where a plain directory succeeds
   * (per format; the reason is in the package-info of whiteout-model, "Lookup" rule 5 and
   * "On-disk formats", and in UnionOps#creatable).
   */
  static final Map<String, String> RESERVED = Map.of(
      "aufs:.wh.x", "EINVAL: aufs whiteout prefix; every .wh.* name is reserved in the aufs format",
      "aufs:.wh..wh..opq", "EINVAL: the aufs opaque marker (a .wh.* name)",
      "aufs:d/.wh.y", "EINVAL: .wh.* names are reserved at any depth in the aufs format",
      "overlay:.fuse_hidden0000", "EINVAL: libfuse2's names for files unlinked while open (UnionOps#creatable)",
      "aufs:.fuse_hidden0000", "EINVAL: libfuse2's names for files unlinked while open (UnionOps#creatable)",
      "overlay:d/.fuse_hiddenAB", "EINVAL: reserved at any depth",
      "aufs:d/.fuse_hiddenAB", "EINVAL: reserved at any depth",
      "overlay:.unionfs-java", "ENOENT: the work directory's name at the root resolves as missing without a parent",
      "aufs:.unionfs-java", "ENOENT: the work directory's name at the root resolves as missing without a parent");

  private record Outcome(String call, String result) {}

  /** One case: its name, and what it does under a directory (the union's mount or the plain one). */
  private interface Case {
    List<Outcome> run(Path dir) throws IOException;
  }

  private static Outcome o(String what, Call c) {
    return new Outcome(what, c.outcome());
  }

  private static void fillLower(Path lower) throws IOException {
    Fixture.file(lower.resolve("x"), "lower x\n");
    Fixture.file(lower.resolve("d/y"), "lower y\n");
    Fixture.file(lower.resolve("d/opq-probe"), "must stay visible\n");
    Fixture.file(lower.resolve("nl\nname"), "newline in the name\n");
    Fixture.file(lower.resolve("sp ace\ttab\\bs"), "space tab backslash\n");
    Fixture.file(lower.resolve("é-日本-😀"), "utf-8\n");
    Files.createSymbolicLink(lower.resolve("loopA"), Path.of("loopB"));
    Files.createSymbolicLink(lower.resolve("loopB"), Path.of("loopA"));
    Files.createSymbolicLink(lower.resolve("self"), Path.of("self"));
  }

  /** The raw names of a tree (relative, bytes shown with \xHH), for comparing union and plain. */
  private static List<String> rawTree(byte[] root) {
    List<String> out = new ArrayList<>();
    walk(root, new byte[0], out);
    out.sort(null);
    return out;
  }

  private static void walk(byte[] root, byte[] rel, List<String> out) {
    byte[] dir = rel.length == 0 ? root : join(root, rel);
    List<byte[]> names = RelSyscalls.list(dir);
    if (names == null) {
      return;
    }
    for (byte[] n : names) {
      byte[] r = rel.length == 0 ? n : join(rel, n);
      int mode = RelSyscalls.lstatMode(join(root, r));
      out.add(RelSyscalls.show(r) + (mode < 0 ? " (lstat failed)" : "") + ((mode & 0170000) == 0040000 ? "/" : ""));
      if ((mode & 0170000) == 0040000) {
        walk(root, r, out);
      }
    }
  }

  private static byte[] join(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + 1 + b.length);
    out[a.length] = '/';
    System.arraycopy(b, 0, out, a.length + 1, b.length);
    return out;
  }

  private static byte[] b(Path p) {
    return p.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static final Map<String, Case> CASES = new LinkedHashMap<>();

  static {
    CASES.put("names with newline, tab, space, backslash, non-ASCII UTF-8", d -> {
      List<Outcome> out = new ArrayList<>();
      for (String n : List.of("nl\nname", "sp ace\ttab\\bs", "é-日本-😀")) {
        out.add(new Outcome("read " + n, Fixture.read(d.resolve(n)).isEmpty() ? "EMPTY" : "OK"));
        out.add(o("rename " + n, Syscalls.rename(d.resolve(n), d.resolve(n + "\n2"))));
        out.add(o("create " + n, Syscalls.openClose(d.resolve("new-" + n), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644)));
        out.add(o("mkdir " + n, Syscalls.mkdir(d.resolve("dir\n" + n), 0755)));
      }
      out.add(o("unlink renamed", Syscalls.unlink(d.resolve("nl\nname\n2"))));
      return out;
    });
    CASES.put("255-byte names work, 256 bytes is ENAMETOOLONG (ASCII and 3-byte UTF-8)", d -> {
      List<Outcome> out = new ArrayList<>();
      String a255 = "a".repeat(255);
      String u255 = "日".repeat(85);
      String u258 = "日".repeat(86);
      out.add(o("create 255", Syscalls.openClose(d.resolve(a255), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644)));
      out.add(o("create 255 utf8", Syscalls.openClose(d.resolve(u255), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644)));
      out.add(o("create 256", Syscalls.openClose(d.resolve("a".repeat(256)), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644)));
      out.add(o("create 258 utf8", Syscalls.openClose(d.resolve(u258), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644)));
      out.add(o("rename lower to 255", Syscalls.rename(d.resolve("x"), d.resolve("b".repeat(255)))));
      out.add(o("rename to 256", Syscalls.rename(d.resolve("b".repeat(255)), d.resolve("b".repeat(256)))));
      out.add(o("mkdir 255 in lower dir", Syscalls.mkdir(d.resolve("d/" + "c".repeat(255)), 0755)));
      out.add(o("symlink 255", Syscalls.symlink("t", d.resolve("e".repeat(255)))));
      return out;
    });
    CASES.put("symlink loops: ELOOP when followed, readable as links", d -> {
      List<Outcome> out = new ArrayList<>();
      out.add(o("open loopA", Syscalls.openClose(d.resolve("loopA"), Syscalls.O_RDONLY, 0)));
      out.add(o("open self", Syscalls.openClose(d.resolve("self"), Syscalls.O_RDONLY, 0)));
      out.add(o("open self/x", Syscalls.openClose(d.resolve("self/x"), Syscalls.O_RDONLY, 0)));
      out.add(o("create through loop", Syscalls.openClose(d.resolve("loopB"), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644)));
      out.add(o("readlink loopA", Syscalls.readlink(d.resolve("loopA"))));
      out.add(o("chmod loopA", Syscalls.chmod(d.resolve("loopA"), 0600)));
      out.add(o("truncate self", Syscalls.truncate(d.resolve("self"), 0)));
      out.add(o("lchown loopA", Syscalls.lchown(d.resolve("loopA"), 0, 0)));
      out.add(o("utimens nofollow self", PosixExtras.utimens(d.resolve("self"), 1_000_000_000L, 2_000_000_000L, true)));
      // a chain of 41 links: Linux follows at most 40
      for (int i = 0; i < 41; i++) {
        Syscalls.symlink("c" + (i + 1), d.resolve("c" + i)).requireOk();
      }
      Fixture.file(d.resolve("c41"), "end");
      out.add(o("open chain of 41", Syscalls.openClose(d.resolve("c0"), Syscalls.O_RDONLY, 0)));
      out.add(o("open chain of 40", Syscalls.openClose(d.resolve("c1"), Syscalls.O_RDONLY, 0)));
      out.add(o("O_NOFOLLOW on a link", Syscalls.openClose(d.resolve("c40"), Syscalls.O_RDONLY | Syscalls.O_NOFOLLOW, 0)));
      out.add(o("unlink loopA", Syscalls.unlink(d.resolve("loopA"))));
      out.add(o("rename self", Syscalls.rename(d.resolve("self"), d.resolve("self2"))));
      return out;
    });
    CASES.put("names that look like markers in the other format, and '...'-style names", d -> {
      List<Outcome> out = new ArrayList<>();
      out.add(o("create ...", Syscalls.openClose(d.resolve("..."), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644)));
      out.add(o("mkdir ..a", Syscalls.mkdir(d.resolve("..a"), 0755)));
      out.add(o("create .wh", Syscalls.openClose(d.resolve(".wh"), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644)));
      out.add(o("create .unionfs-java in a subdir", Syscalls.mkdir(d.resolve("d/.unionfs-java"), 0755)));
      out.add(o("create .unionfs-fuse", Syscalls.mkdir(d.resolve(".unionfs-fuse"), 0755)));
      out.add(o("create .unionfs", Syscalls.mkdir(d.resolve(".unionfs"), 0755)));
      out.add(o("rmdir d/..", Syscalls.rmdir(d.resolve("d/.."))));
      out.add(o("rmdir d/.", Syscalls.rmdir(d.resolve("d/."))));
      return out;
    });
  }

  /** Runs every case on the plain directory and on the union; both outcome lists and trees must agree. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void hostileNames_sameOutcomeAsPlainDirectory(UnionSystem system, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    List<String> mismatches = new ArrayList<>();
    int tried = 0;
    for (Map.Entry<String, Case> c : CASES.entrySet()) {
      Path plain = Files.createDirectories(tmp.resolve("plain" + tried));
      fillLower(plain);
      List<Outcome> want = c.getValue().run(plain);
      try (RelUnion u = RelUnion.create(tmp.resolve("u" + tried), 1, system)) {
        fillLower(u.lower(1));
        Map<String, String> lower = BranchChecksum.of(u.lower(1));
        u.mount();
        List<Outcome> got = c.getValue().run(u.mnt());
        tried += got.size();
        for (int i = 0; i < want.size(); i++) {
          if (!want.get(i).equals(got.get(i))) {
            mismatches.add(c.getKey() + ": " + got.get(i) + " on the union, " + want.get(i).result() + " on a plain dir");
          }
        }
        List<String> wantTree = rawTree(b(plain));
        List<String> gotTree = rawTree(b(u.mnt()));
        if (!wantTree.equals(gotTree)) {
          mismatches.add(c.getKey() + ": tree differs\n    union: " + gotTree + "\n    plain: " + wantTree);
        }
        List<String> internal = new ArrayList<>(MountedTree.read(u.mnt()).internalNames());
        internal.removeIf(n -> Files.exists(plain.resolve(n), java.nio.file.LinkOption.NOFOLLOW_LINKS)); // made on purpose
        assertEquals(List.of(), internal, c.getKey() + ": internal names visible");
        u.unmount();
        assertEquals(List.of(), BranchChecksum.diff(lower, BranchChecksum.of(u.lower(1))), c.getKey() + ": lower changed");
      }
    }
    System.out.println("HostileInputTest " + system + ": " + tried + " hostile calls in " + CASES.size()
        + " cases, " + mismatches.size() + " differences from a plain directory");
    assertEquals(List.of(), mismatches, system + ": differences from a plain directory");
  }

  /**
   * Reserved names: the union refuses to create them with the documented error ({@link
   * #RESERVED}); a plain directory creates them. Names that are not reserved in a format (such
   * as {@code .wh.x} in the overlay format) must behave as on a plain directory, must be listed,
   * and must never hide the name they look like a whiteout for, also after a remount.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void reservedAndMarkerLikeNames_documentedErrorOrPlainBehaviour_neverHideRealNames(UnionSystem system,
      @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    String fmt = system.whiteoutFormat();
    List<String> names = List.of(".wh.x", ".wh..wh..opq", "d/.wh.y", ".fuse_hidden0000", "d/.fuse_hiddenAB",
        ".unionfs-java");
    List<String> problems = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system)) {
      fillLower(u.lower(1));
      Map<String, String> lower = BranchChecksum.of(u.lower(1));
      u.mount();
      for (String n : names) {
        String reason = RESERVED.get(fmt + ":" + n);
        Call create = Syscalls.openClose(u.at(n), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644);
        Call mkdir = Syscalls.mkdir(u.at(n + "-dir"), 0755);
        seen.add(n + ": create " + create.outcome() + ", mkdir of " + n + "-dir " + mkdir.outcome());
        if (reason != null) {
          String errno = reason.substring(0, reason.indexOf(':'));
          if (!errno.equals(create.outcome())) {
            problems.add(n + ": create gave " + create.outcome() + ", documented " + reason);
          }
          if (Fixture.exists(u.at(n))) {
            problems.add(n + ": a reserved name became visible");
          }
        } else if (!create.ok()) {
          problems.add(n + ": not reserved in " + fmt + " but create gave " + create.outcome());
        } else if (!Fixture.exists(u.at(n))) {
          problems.add(n + ": created but not visible");
        }
        if (!n.startsWith(".wh.") && !n.contains("/.wh.") && !n.startsWith(".fuse") && !n.contains("/.fuse")
            && !n.equals(".unionfs-java") && !mkdir.ok()) {
          problems.add(n + "-dir: mkdir gave " + mkdir.outcome());
        }
      }
      // marker-like names never hide the real names next to them
      for (String real : List.of("x", "d/y", "d/opq-probe")) {
        if (!Fixture.exists(u.at(real))) {
          problems.add(real + " is hidden after creating marker-like names");
        }
      }
      u.unmount();
      u.mount();
      for (String real : List.of("x", "d/y", "d/opq-probe")) {
        if (!Fixture.exists(u.at(real))) {
          problems.add(real + " is hidden after a remount");
        }
      }
      if ("overlay".equals(fmt)) {
        for (String n : List.of(".wh.x", ".wh..wh..opq", "d/.wh.y")) {
          if (!Fixture.exists(u.at(n))) {
            problems.add(n + " (an ordinary name in the overlay format) vanished after a remount");
          }
        }
      }
      RelUpperFsck.Report r = RelUpperFsck.check(u.upper(), fmt, MountedTree.read(u.mnt()).entries().keySet(), u.lowers());
      if ("aufs".equals(fmt)) {
        problems.addAll(r.problems(false));
      }
      assertEquals(List.of(), Syscalls.access(u.at(".unionfs-java"), Syscalls.F_OK).ok() ? List.of("visible")
          : List.of(), "the work directory is not reachable through the mount");
      u.unmount();
      assertEquals(List.of(), BranchChecksum.diff(lower, BranchChecksum.of(u.lower(1))), "lower changed");
    }
    System.out.println("HostileInputTest reserved " + system + ": " + seen);
    assertEquals(List.of(), problems, system.toString());
  }

  /**
   * Names that are not valid UTF-8: Linux names are bytes, and a union must keep them byte for
   * byte. Two files whose names differ only in an invalid byte ({@code bad\xff}, {@code bad\xfe})
   * must stay two files with their own content, be listed with their exact bytes, and a lower
   * file with such a name must be listed and openable by its name.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void namesNotValidUtf8_keptByteForByte(UnionSystem system, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    assumeTrue(RelSyscalls.supported(), "struct layouts for x86_64 only");
    byte[] ff = {'b', 'a', 'd', (byte) 0xff};
    byte[] fe = {'b', 'a', 'd', (byte) 0xfe};
    byte[] lowerName = {'l', 'o', 'w', (byte) 0xc3, (byte) 0x28};
    List<String> problems = new ArrayList<>();
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system)) {
      int lfd = (int) RelSyscalls.open(join(b(u.lower(1)), lowerName), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644).requireOk();
      Syscalls.write(lfd, "lower bytes".getBytes()).requireOk();
      Syscalls.close(lfd);
      // (BranchChecksum works on Java paths, which cannot name this file: compare raw listings)
      List<String> lowerBefore = rawTree(b(u.lower(1)));
      u.mount();
      byte[] mnt = b(u.mnt());
      for (byte[] name : List.of(ff, fe)) {
        Call c = RelSyscalls.open(join(mnt, name), Syscalls.O_CREAT | Syscalls.O_EXCL | Syscalls.O_WRONLY, 0644);
        if (!c.ok()) {
          problems.add(c.toString());
          continue;
        }
        Syscalls.write((int) c.ret(), name).requireOk();
        Syscalls.close((int) c.ret());
      }
      for (byte[] name : List.of(ff, fe)) {
        long size = RelSyscalls.lstatSize(join(mnt, name));
        if (size != name.length) {
          problems.add("lstat " + RelSyscalls.show(name) + ": size " + size + ", expected " + name.length);
        }
      }
      List<String> listed = rawTree(mnt);
      List<String> want = List.of("bad\\xfe", "bad\\xff", "low\\xc3(");
      if (!listed.equals(want)) {
        problems.add("listing " + listed + ", expected " + want);
      }
      List<String> upperNames = new ArrayList<>();
      for (byte[] n : RelSyscalls.list(b(u.upper()))) {
        if (!RelSyscalls.show(n).startsWith(".unionfs")) {
          upperNames.add(RelSyscalls.show(n));
        }
      }
      upperNames.sort(null);
      if (!upperNames.equals(List.of("bad\\xfe", "bad\\xff"))) {
        problems.add("names in the upper " + upperNames + ", expected [bad\\xfe, bad\\xff]");
      }
      if (RelSyscalls.lstatSize(join(mnt, lowerName)) != "lower bytes".length()) {
        problems.add("the lower file " + RelSyscalls.show(lowerName) + " cannot be stat'ed by its name through the union");
      }
      // copy-up, rename, whiteout and a symlink target, all with such bytes
      byte[] renamed = {'r', 'e', 'n', (byte) 0x80, (byte) 0xc0};
      Call app = RelSyscalls.open(join(mnt, lowerName), Syscalls.O_WRONLY | Syscalls.O_APPEND, 0);
      if (app.ok()) {
        Syscalls.write((int) app.ret(), "+".getBytes()).requireOk();
        Syscalls.close((int) app.ret());
      } else {
        problems.add("copy-up " + app);
      }
      if (RelSyscalls.lstatSize(join(b(u.upper()), lowerName)) != "lower bytes+".length()) {
        problems.add("copy-up of " + RelSyscalls.show(lowerName) + " did not land under the same bytes in the upper");
      }
      Call mv = RelSyscalls.rename(join(mnt, ff), join(mnt, renamed));
      Call rm = RelSyscalls.unlink(join(mnt, lowerName));
      Call ln = RelSyscalls.symlink(fe, join(mnt, new byte[] {'l', 'n', (byte) 0xfe}));
      for (Call c : List.of(mv, rm, ln)) {
        if (!c.ok()) {
          problems.add(c.toString());
        }
      }
      byte[] target = RelSyscalls.readlink(join(mnt, new byte[] {'l', 'n', (byte) 0xfe}));
      if (target == null || !java.util.Arrays.equals(target, fe)) {
        problems.add("readlink gave " + (target == null ? "an error" : RelSyscalls.show(target)) + ", expected "
            + RelSyscalls.show(fe));
      }
      List<String> after = rawTree(mnt);
      List<String> wantAfter = List.of("bad\\xfe", "ln\\xfe", "ren\\x80\\xc0");
      if (!after.equals(wantAfter)) {
        problems.add("listing after rename, unlink and symlink " + after + ", expected " + wantAfter);
      }
      u.unmount();
      assertEquals(lowerBefore, rawTree(b(u.lower(1))), "lower changed");
      assertEquals("lower bytes".length(), RelSyscalls.lstatSize(join(b(u.lower(1)), lowerName)), "lower file changed");
    }
    assertEquals(List.of(), problems, system + ": names with invalid UTF-8 bytes are not kept byte for byte");
  }

  /**
   * Branch and mount-point paths that are not ASCII (UTF-8 text on the command line): the daemon
   * keeps names as bytes internally, so the command line's text must reach the same directories,
   * in background mode (a second JVM started with the same arguments) and for umount.
   */
  @org.junit.jupiter.api.Test
  void nonAsciiBranchAndMountPaths_mountCopyUpUmount(@TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(UnionSystem.JAVA_OVERLAY);
    Path base = Files.createDirectories(tmp.resolve("br\u00e4nch-\u00e9-\u6f22"));
    Path lower = Files.createDirectories(base.resolve("l\u00f6wer"));
    Path upper = Files.createDirectories(base.resolve("\u00fcpper"));
    Path mnt = Files.createDirectories(base.resolve("mn\u00f1"));
    Fixture.file(lower.resolve("f\u00e9"), "lower\n");
    Map<String, String> lowerBefore = BranchChecksum.of(lower);
    String launcher = org.unionfsjava.e2e.support.TestUnion.launcher().toString();
    List<String> got = new ArrayList<>();
    try {
      var mount = org.unionfsjava.e2e.support.Processes.run(Duration.ofSeconds(90), launcher, "mount", "--lower",
          lower.toString(), "--upper", upper.toString(), "--log-file", base.resolve("l\u00f6g").toString(), mnt.toString());
      assertEquals(0, mount.exit(), "mount: " + mount.stdout() + mount.stderr());
      assertTrue(mount.stdout().contains(mnt.toString()), "the message names the mount point as given: " + mount.stdout());
      got.add("read " + Files.readString(mnt.resolve("f\u00e9")).trim());
      Files.writeString(mnt.resolve("f\u00e9"), "upper\n", java.nio.file.StandardOpenOption.APPEND);
      Files.writeString(mnt.resolve("n\u00fc"), "new\n");
      got.add("upper " + Files.readString(upper.resolve("f\u00e9")).replace("\n", "|"));
      got.add("new " + Files.readString(upper.resolve("n\u00fc")).trim());
      var umount = org.unionfsjava.e2e.support.Processes.run(Duration.ofSeconds(60), launcher, "umount", mnt.toString());
      got.add("umount " + umount.exit());
      got.add("mounted after " + (org.unionfsjava.e2e.support.Mounts.fsTypeAt(mnt) != null));
    } finally {
      org.unionfsjava.e2e.support.Mounts.unmountQuietly(mnt);
    }
    assertEquals(List.of("read lower", "upper lower|upper|", "new new", "umount 0", "mounted after false"), got);
    assertEquals(List.of(), BranchChecksum.diff(lowerBefore, BranchChecksum.of(lower)), "lower changed");
  }

  /**
   * Paths up to PATH_MAX: a path of 4095 bytes (4096 with its NUL) works on a plain directory
   * whatever the branches' own path lengths; one byte more is ENAMETOOLONG. The union gets the
   * path relative to its mount point, so it must not fail because the upper's or the work
   * directory's absolute path is longer than the mount point's.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void pathOf4095Bytes_worksLikeOnAPlainDirectory(UnionSystem system, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system)) {
      Path plain = Files.createDirectories(tmp.resolve("p").resolve("mnt"));
      Map<String, List<String>> results = new TreeMap<>();
      for (Path base : List.of(plain, u.mnt())) {
        if (base.equals(u.mnt())) {
          Fixture.file(u.lower(1).resolve("lowerdir/f"), "deep");
          u.mount();
        } else {
          Fixture.file(plain.resolve("lowerdir/f"), "deep");
        }
        List<String> r = new ArrayList<>();
        // build directories of 200-byte names until the path is just under 4095 bytes
        StringBuilder rel = new StringBuilder();
        int baseLen = base.toString().getBytes(StandardCharsets.UTF_8).length;
        while (baseLen + 1 + rel.length() + 201 + 20 < 4095) {
          rel.append(rel.length() == 0 ? "" : "/").append("d".repeat(200));
          r.add("mkdir " + rel.length() + ": " + Syscalls.mkdir(base.resolve(rel.toString()), 0755).outcome());
        }
        int room = 4095 - (baseLen + 1 + rel.length() + 1);
        String last = "f".repeat(room);
        Path full = base.resolve(rel + "/" + last);
        assertEquals(4095, full.toString().getBytes(StandardCharsets.UTF_8).length);
        r.add("create 4095: " + Syscalls.openClose(full, Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644).outcome());
        r.add("stat 4095: " + Syscalls.access(full, Syscalls.F_OK).outcome());
        r.add("create 4096: " + Syscalls.openClose(base.resolve(rel + "/" + last + "g"),
            Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644).outcome());
        r.add("unlink 4095: " + Syscalls.unlink(full).outcome());
        results.put(base.equals(plain) ? "plain" : "union", r);
      }
      u.unmount();
      assertEquals(results.get("plain"), results.get("union"), system + ": paths near PATH_MAX");
    }
  }

  /**
   * A symlink replacing a directory while operations inside that directory are in flight: the
   * kernel resolved the directory, so an operation either acts in it or fails; it must never
   * act where the symlink points. The mount point is two levels deeper than the upper, so a
   * relative target {@code ../canary} seen from the upper (the daemon following the link in its
   * branch) names {@code ROOT/canary}, which nothing reachable through the mount can name: any
   * change there is a write outside the branches. Every call must also return: a caller still
   * blocked 20 s after the stop is a hang of the mount (the daemon's thread dump is saved in
   * {@code target/} and the daemon is killed to free the callers). This test found libfuse2's
   * path-lock deadlock (libfuse issue #695: every worker waiting in libfuse, no union handler
   * running), which is why the union runs libfuse's loop single-threaded ({@code -s}).
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void symlinkSwappedForDirectoryDuringOps_daemonNeverWritesOutsideBranches(UnionSystem system, @TempDir Path tmp)
      throws Exception {
    SystemSelection.assumeSelected(system);
    Path root = tmp.resolve("r");
    Path canary = Files.createDirectories(root.resolve("canary"));
    Fixture.file(canary.resolve("keep"), "canary\n");
    Map<String, String> canaryBefore = BranchChecksum.of(canary);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong rounds = new AtomicLong();
    List<String> problems = new ArrayList<>();
    try (RelUnion u = RelUnion.create(root, 1, system, "a/b/mnt")) {
      Fixture.file(u.lower(1).resolve("base"), "x");
      Map<String, String> lower = BranchChecksum.of(u.lower(1));
      u.mount();
      Path m = u.at("m");
      Thread swapper = new Thread(() -> {
        while (!stop.get()) {
          Syscalls.mkdir(m, 0755);
          Syscalls.rename(m, u.at("m-old"));
          Syscalls.symlink("../canary", m);
          Syscalls.unlink(m);
          Syscalls.rmdir(u.at("m-old"));
          Syscalls.unlink(u.at("m-old/x"));
          Syscalls.unlink(u.at("m-old/y"));
          Syscalls.rmdir(u.at("m-old/sub"));
          Syscalls.rmdir(u.at("m-old"));
          rounds.incrementAndGet();
        }
      }, "swapper");
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        workers.add(new Thread(() -> {
          while (!stop.get()) {
            Syscalls.openClose(m.resolve("x"), Syscalls.O_CREAT | Syscalls.O_WRONLY, 0644);
            Syscalls.mkdir(m.resolve("sub"), 0755);
            Syscalls.rename(m.resolve("x"), m.resolve("y"));
            Syscalls.symlink("t", m.resolve("x"));
            Syscalls.chmod(m.resolve("y"), 0600);
            Syscalls.truncate(m.resolve("y"), 10);
            Syscalls.unlink(m.resolve("x"));
            Syscalls.rmdir(m.resolve("sub"));
          }
        }, "inside-" + t));
      }
      swapper.start();
      workers.forEach(Thread::start);
      Thread.sleep(Duration.ofSeconds(Long.getLong("unionfs.rel.raceSeconds", 8)).toMillis());
      stop.set(true);
      List<Thread> all = new ArrayList<>(workers);
      all.add(swapper);
      long deadline = System.nanoTime() + 20_000_000_000L;
      for (Thread w : all) {
        w.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      }
      List<String> stuck = new ArrayList<>();
      for (Thread w : all) {
        if (w.isAlive()) {
          StringBuilder sb = new StringBuilder(w.getName());
          for (StackTraceElement e : w.getStackTrace()) {
            if (e.getClassName().startsWith("org.unionfsjava")) {
              sb.append(" at ").append(e.getMethodName()).append(':').append(e.getLineNumber());
            }
          }
          stuck.add(sb.toString());
        }
      }
      if (!stuck.isEmpty()) {
        String dump = u.threadDump();
        Path dumpFile = Path.of("target", "reliability-race-" + system + "-jstack.txt").toAbsolutePath();
        Files.createDirectories(dumpFile.getParent());
        Files.writeString(dumpFile, dump);
        problems.add("no progress 20 s after the stop (deadlock in the daemon?); threads still in a call on the mount: "
            + stuck + "; daemon thread dump in " + dumpFile + ":\n" + dump.substring(0, Math.min(dump.length(), 6000)));
        u.kill(); // unblocks the callers (ENOTCONN)
        for (Thread w : all) {
          w.join(10_000);
        }
        u.clearDeadMount();
      }
      List<String> inCanary = new ArrayList<>();
      try (var s = Files.list(canary)) {
        s.forEach(p -> inCanary.add(p.getFileName().toString()));
      }
      List<String> d = BranchChecksum.diff(canaryBefore, BranchChecksum.of(canary));
      if (!d.isEmpty()) {
        problems.add("the daemon wrote outside its branches, into " + canary + " (reachable only by following "
            + "an upper symlink from inside the upper): " + d);
      }
      u.close();
      assertEquals(List.of(), BranchChecksum.diff(lower, BranchChecksum.of(u.lower(1))), "lower changed");
      System.out.println("HostileInputTest race " + system + ": " + rounds.get() + " swaps; canary holds " + inCanary);
    }
    assertTrue(rounds.get() > 10, "the race ran");
    assertEquals(List.of(), problems, system.toString());
  }
}
