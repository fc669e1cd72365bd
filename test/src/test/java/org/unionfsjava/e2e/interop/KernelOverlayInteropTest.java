package org.unionfsjava.e2e.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.unionfsjava.e2e.support.TreeAssert.assertTrees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.e2e.support.ChangeScript;
import org.unionfsjava.e2e.support.CliMount;
import org.unionfsjava.e2e.support.LowersUnchanged;
import org.unionfsjava.e2e.support.MergedModel;
import org.unionfsjava.e2e.support.Mounts;
import org.unionfsjava.e2e.support.OnDiskFormat;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * DESIGN §3: with {@code --whiteout-format overlay} the upper is in kernel overlayfs's format,
 * so the same upper and lowers mount either way and show the same tree. One set of changes
 * ({@link ChangeScript}: edits, whiteouts of files and of a directory tree, an opaque directory,
 * new files and directories, chmod, symlinks, rename, hard link, truncate, times) is made by one
 * side; after unmounting, the other side mounts the same branches. Trees are compared with
 * owners and mtimes (ns), and both against a plain directory to which the same changes were
 * applied (the model), so a shared mistake cannot pass. The lowers must stay unchanged.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KernelOverlayInteropTest {
  @TempDir
  Path tmp;

  @RegisterExtension
  final LowersUnchanged lowers = new LowersUnchanged();

  /** Lowers filled, watched, and the model built beside them. */
  private Path prepare(TestUnion u) throws IOException {
    ChangeScript.fillLowers(u.lowers());
    lowers.watch(u.lowers());
    Path model = Files.createDirectories(tmp.resolve("model"));
    MergedModel.build(u.lowers(), model);
    ChangeScript.apply(model);
    return model;
  }

  private TestUnion java(Path root, Path workdir) {
    TestUnion u = TestUnion.create(root, 2, UnionSystem.JAVA_OVERLAY);
    return workdir == null ? u : u.withArgs("--workdir", workdir.toString());
  }

  private static TestUnion kernel(Path root) {
    return TestUnion.create(root, 2, UnionSystem.KERNEL_OVERLAY);
  }

  @Test
  void anUpperWrittenByUnionfsJavaMountsUnderKernelOverlayfsWithTheSameTree() throws IOException {
    Path root = tmp.resolve("u");
    Path jwork = Files.createDirectories(tmp.resolve("u/jwork"));
    Map<String, String> javaView;
    Path model;
    try (TestUnion j = java(root, jwork)) {
      model = prepare(j);
      j.mount();
      ChangeScript.apply(j.mnt());
      javaView = TreeSnapshot.of(j.mnt(), true);
      assertTrees("unionfs-java's view after the changes vs the model", TreeSnapshot.of(model, false),
          TreeSnapshot.of(j.mnt(), false));
    }
    try (TestUnion k = kernel(root)) {
      assertEmptyDir(k.work());
      k.mount();
      assertTrees("kernel overlayfs over unionfs-java's upper vs unionfs-java's view", javaView,
          TreeSnapshot.of(k.mnt(), true));
      assertTrees("kernel overlayfs over unionfs-java's upper vs the model", TreeSnapshot.of(model, false),
          TreeSnapshot.of(k.mnt(), false));
    }
  }

  @Test
  void anUpperWrittenByKernelOverlayfsMountsUnderUnionfsJavaWithTheSameTree() throws IOException {
    Path root = tmp.resolve("u");
    Path jwork = Files.createDirectories(tmp.resolve("u/jwork"));
    Map<String, String> kernelView;
    Path model;
    try (TestUnion k = kernel(root)) {
      model = prepare(k);
      k.mount();
      ChangeScript.apply(k.mnt());
      kernelView = TreeSnapshot.of(k.mnt(), true);
      assertTrees("kernel overlayfs after the changes vs the model (harness check)", TreeSnapshot.of(model, false),
          TreeSnapshot.of(k.mnt(), false));
    }
    try (TestUnion j = java(root, jwork)) {
      j.mount();
      assertTrees("unionfs-java over kernel overlayfs's upper vs the kernel's view", kernelView,
          TreeSnapshot.of(j.mnt(), true));
    }
  }

  @Test
  void withTheDefaultWorkdirTheKernelShowsExactlyTheNameDotUnionfsJavaMore() throws IOException {
    Path root = tmp.resolve("u");
    Map<String, String> javaView;
    try (TestUnion j = java(root, null)) {
      prepare(j);
      j.mount();
      ChangeScript.apply(j.mnt());
      javaView = TreeSnapshot.of(j.mnt(), true);
      assertTrue(javaView.keySet().stream().noneMatch(k -> k.startsWith(".unionfs-java")),
          "the union must hide its own work directory (DESIGN §2 readdir): " + javaView.keySet());
    }
    try (TestUnion k = kernel(root)) {
      k.mount();
      Map<String, String> kernelView = TreeSnapshot.of(k.mnt(), true);
      Set<String> extraTop = new TreeSet<>();
      Map<String, String> rest = new TreeMap<>();
      kernelView.forEach((path, d) -> {
        if (!javaView.containsKey(path)) {
          extraTop.add(path.split("/")[0]);
        }
        if (!path.equals(".unionfs-java") && !path.startsWith(".unionfs-java/")) {
          rest.put(path, d);
        }
      });
      assertEquals(Set.of(".unionfs-java"), extraTop,
          "kernel overlayfs over an upper with the default work directory: the only extra name must be .unionfs-java");
      assertTrees("kernel overlayfs without .unionfs-java vs unionfs-java's view", javaView, rest);
    }
  }

  @Test
  void autoDetectsTheOverlayFormatOfAKernelWrittenUpper() throws IOException, InterruptedException {
    Path root = tmp.resolve("u");
    Map<String, String> kernelView;
    try (TestUnion k = kernel(root)) {
      prepare(k);
      k.mount();
      ChangeScript.apply(k.mnt());
      kernelView = TreeSnapshot.of(k.mnt(), true);
    }
    TestUnion u = kernel(root); // only for the paths of the branches
    Path jwork = Files.createDirectories(tmp.resolve("u/jwork"));
    try (CliMount m = CliMount.start(u.mnt(), tmp.resolve("auto.log"), List.of("--whiteout-format", "auto",
        "--upper", u.upper().toString(), "--lower", u.lower(1).toString(), "--lower", u.lower(2).toString(),
        "--workdir", jwork.toString()))) {
      if (!m.awaitMounted(Duration.ofSeconds(60))) {
        fail("--whiteout-format auto did not mount a kernel-written upper; output:\n" + m.output());
      }
      // whiteouts (0/0 char devices) hidden and opaque dirs honoured: read as the overlay format
      assertTrees("unionfs-java --whiteout-format auto over kernel overlayfs's upper vs the kernel's view",
          kernelView, TreeSnapshot.of(m.mnt(), true));
      // and it writes that format: a new whiteout is a 0/0 char device, and no .wh. name appears
      Syscalls.unlink(m.mnt().resolve("d1/f3")).requireOk();
      OnDiskFormat.assertWhiteout(UnionSystem.JAVA_OVERLAY, u.upper(), "d1/f3");
      assertTrue(!Files.exists(u.upper().resolve("d1/.wh.f3"), java.nio.file.LinkOption.NOFOLLOW_LINKS),
          "auto picked the aufs format for writing: d1/.wh.f3 exists in the upper");
    }
  }

  @Test
  void theAufsFormatIsRefusedForAKernelWrittenUpper() throws IOException, InterruptedException {
    Path root = tmp.resolve("u");
    Map<String, String> upperBefore;
    try (TestUnion k = kernel(root)) {
      prepare(k);
      k.mount();
      ChangeScript.apply(k.mnt());
    }
    TestUnion u = kernel(root);
    upperBefore = org.unionfsjava.e2e.support.BranchChecksum.of(u.upper());
    Path jwork = Files.createDirectories(tmp.resolve("u/jwork"));
    try (CliMount m = CliMount.start(u.mnt(), tmp.resolve("aufs.log"), List.of("--whiteout-format", "aufs",
        "--upper", u.upper().toString(), "--lower", u.lower(1).toString(), "--lower", u.lower(2).toString(),
        "--workdir", jwork.toString()))) {
      Integer exit = m.awaitExit(Duration.ofSeconds(60));
      boolean mounted = Mounts.fsTypeAt(u.mnt()) != null;
      assertNotNull(exit, "unionfs-java --whiteout-format aufs over a kernel overlayfs upper did not exit within 60 s"
          + (mounted ? " and MOUNTED it" : "") + "; output:\n" + m.output());
      assertNotEquals(0, exit, "--whiteout-format aufs over an overlay-format upper must be refused; output:\n" + m.output());
      assertTrue(m.output().toLowerCase(java.util.Locale.ROOT).contains("format"),
          "the refusal must say it is about the whiteout format; output:\n" + m.output());
      assertTrue(!mounted, "refused, yet something is mounted at " + u.mnt());
    }
    assertEquals(List.of(), org.unionfsjava.e2e.support.BranchChecksum.diff(upperBefore,
        org.unionfsjava.e2e.support.BranchChecksum.of(u.upper())), "a refused mount must not change the upper");
  }

  /**
   * Kernel overlayfs renames a lower directory within its parent and records a relative redirect
   * (trusted.overlay.redirect = "olddir", a sibling in the same parent). unionfs-java then moves
   * that directory into another directory: the lower content must follow it (a relative redirect
   * kept as it was would be read in the new parent and find nothing), under unionfs-java, after
   * a remount, and under kernel overlayfs again.
   */
  @Test
  void aDirectoryTheKernelRenamedKeepsItsLowerContentWhenUnionfsJavaMovesItElsewhere() throws IOException {
    Path root = tmp.resolve("u");
    Path jwork = Files.createDirectories(tmp.resolve("u/jwork"));
    try (TestUnion k = kernel(root)) {
      Files.createDirectories(k.lower(1).resolve("p/olddir/sub"));
      Files.writeString(k.lower(1).resolve("p/olddir/file"), "from the lower\n");
      Files.writeString(k.lower(1).resolve("p/olddir/sub/deep"), "deep\n");
      Files.createDirectories(k.lower(1).resolve("q"));
      Files.writeString(k.lower(1).resolve("q/other"), "other\n");
      lowers.watch(k.lowers());
      k.mount();
      Syscalls.rename(k.at("p/olddir"), k.at("p/newdir")).requireOk();
    }
    Path upperDir = root.resolve("upper/p/newdir");
    byte[] redirect = org.unionfsjava.e2e.support.PosixExtras.xattr(upperDir, "trusted.overlay.redirect");
    assertNotNull(redirect, "kernel overlayfs wrote no redirect on p/newdir (harness check)");
    assertEquals("olddir", new String(redirect, java.nio.charset.StandardCharsets.UTF_8).replace("\0", ""),
        "kernel overlayfs writes a relative redirect for a rename within a directory (harness check)");

    try (TestUnion j = java(root, jwork)) {
      j.mount();
      assertEquals("from the lower\n", Files.readString(j.at("p/newdir/file")), "before the move (harness check)");
      Syscalls.rename(j.at("p/newdir"), j.at("q/moved")).requireOk();
      assertMovedDirectory(j.mnt(), "unionfs-java right after the move");
    }
    try (TestUnion j = java(root, jwork)) {
      j.mount();
      assertMovedDirectory(j.mnt(), "unionfs-java after unmount and mount");
    }
    try (TestUnion k = kernel(root)) {
      k.mount();
      assertMovedDirectory(k.mnt(), "kernel overlayfs over the upper unionfs-java changed");
    }
  }

  private static void assertMovedDirectory(Path mnt, String when) throws IOException {
    assertEquals(List.of("file", "sub"), sortedNames(mnt.resolve("q/moved")), when + ": q/moved");
    assertEquals("from the lower\n", Files.readString(mnt.resolve("q/moved/file")), when + ": q/moved/file");
    assertEquals("deep\n", Files.readString(mnt.resolve("q/moved/sub/deep")), when + ": q/moved/sub/deep");
    assertEquals(List.of("moved", "other"), sortedNames(mnt.resolve("q")), when + ": q");
    assertEquals(List.of(), sortedNames(mnt.resolve("p")), when + ": p (both old names gone)");
  }

  private static List<String> sortedNames(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void assertEmptyDir(Path p) throws IOException {
    try (var s = Files.list(p)) {
      assertEquals(List.of(), s.toList(), "the kernel's work directory must start empty");
    }
  }
}
