package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.fs.OpsFixture.ENOENT;
import static org.unionfsjava.fs.OpsFixture.ENOTDIR;
import static org.unionfsjava.fs.OpsFixture.EXDEV;
import static org.unionfsjava.fs.nativeio.NativeFile.O_CREAT;
import static org.unionfsjava.fs.nativeio.NativeFile.O_EXCL;
import static org.unionfsjava.fs.nativeio.NativeFile.O_RDONLY;
import static org.unionfsjava.fs.nativeio.NativeFile.O_TRUNC;
import static org.unionfsjava.fs.nativeio.NativeFile.O_WRONLY;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.fs.nativeio.NativeBranchIo;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.Resolution;
import org.unionfsjava.model.Stat;

/**
 * The union's lookup cache with a fake ticker (Caffeine wiki, "Testing"): facts from a lower live
 * at most the TTL, upper objects are authoritative, negative entries are cached, invalidation
 * drops subtrees, and a lookup that raced with a change is not kept. Driven through {@link
 * UnionOps} as the adapter drives it; the lowers are changed directly, as another NFS client
 * would change them.
 */
@DisplayName("ResolutionCache: TTL for lower facts, authoritative upper, negative entries, invalidation")
class ResolutionCacheTest {
  private static final Duration TTL = Duration.ofSeconds(1);
  private static final Duration HALF = TTL.dividedBy(2);

  @TempDir Path root;
  private OpsFixture fx;

  @BeforeEach
  void union() throws IOException {
    fx = OpsFixture.of(root, "overlay", 1, TTL);
  }

  @AfterEach
  void close() {
    try {
      assertEquals(0, fx.ops.table().openCount(), "handles left open");
    } finally {
      fx.close();
    }
  }

  private void writeThroughUnion(String p, String content, int flags) {
    long fh = (flags & O_CREAT) != 0
        ? fx.create(p, 0644, flags).require()
        : fx.open(p, flags).require();
    byte[] data = OpsFixture.utf8(content);
    assertEquals(data.length, fx.write(fh, data, 0));
    assertEquals(0, fx.release(fh));
  }

  @Test
  @DisplayName("a file added directly to a lower stays invisible before the TTL and shows after it")
  void resolve_fileAddedToLower_visibleOnlyAfterTtl() throws IOException {
    OpsFixture.put(fx.lower(1), "dir/old", "old");
    assertEquals(-ENOENT, fx.getattr("/dir/new").rc());

    OpsFixture.put(fx.lower(1), "dir/new", "new");
    fx.advance(HALF);
    assertEquals(-ENOENT, fx.getattr("/dir/new").rc(), "before the TTL the negative entry holds");
    fx.advance(HALF.plusNanos(1));
    Stat st = fx.getattr("/dir/new").require();
    assertEquals(3, st.size());
    assertEquals("new", fx.readString("/dir/new"));
  }

  @Test
  @DisplayName("a file removed directly from a lower disappears after the TTL; a stale open before it answers ENOENT, not EIO")
  void resolve_fileRemovedFromLower_goneAfterTtl() throws IOException {
    Path f = OpsFixture.put(fx.lower(1), "dir/f", "content");
    assertEquals(7, fx.getattr("/dir/f").require().size());

    Files.delete(f);
    fx.advance(HALF);
    assertEquals(-ENOENT, fx.open("/dir/f", O_RDONLY).rc(), "the cached entry names a file that is gone");
    fx.advance(HALF.plusNanos(1));
    assertEquals(-ENOENT, fx.getattr("/dir/f").rc());
    assertEquals(List.of(), fx.list("/dir"));
  }

  @Test
  @DisplayName("a lower file's changed size shows after the TTL")
  void getattr_lowerFileChanged_newSizeAfterTtl() throws IOException {
    Path f = OpsFixture.put(fx.lower(1), "f", "abc");
    assertEquals(3, fx.getattr("/f").require().size());
    Files.writeString(f, "abcdefghij");
    fx.passTtl();
    assertEquals(10, fx.getattr("/f").require().size());
    assertEquals("abcdefghij", fx.readString("/f"));
  }

  @Test
  @DisplayName("an upper file is never replaced by a change in the lower: not by new content, not by a directory of its name")
  void resolve_upperFileThenLowerChanges_upperStays() throws IOException {
    Path lowerF = OpsFixture.put(fx.lower(1), "f", "lower");
    long upperIno = fx.getattr("/f").require().ino();
    writeThroughUnion("/f", "upper!", O_WRONLY | O_TRUNC); // copy-up (keeps the number: origin)
    writeThroughUnion("/g", "upper g", O_WRONLY | O_CREAT | O_EXCL); // upper only
    assertEquals(upperIno, fx.getattr("/f").require().ino());

    Files.writeString(lowerF, "lower content changed, and longer");
    fx.passTtl();
    assertEquals(6, fx.getattr("/f").require().size());
    assertEquals("upper!", fx.readString("/f"));

    Files.delete(lowerF);
    Files.createDirectories(lowerF);
    OpsFixture.put(fx.lower(1), "f/child", "c");
    OpsFixture.put(fx.lower(1), "g/child", "c");
    for (int i = 0; i < 3; i++) {
      fx.passTtl();
      Stat f = fx.getattr("/f").require();
      assertEquals(FileKind.REGULAR.typeBits(), f.mode() & FileKind.S_IFMT);
      assertEquals(upperIno, f.ino());
      assertEquals("upper!", fx.readString("/f"));
      Stat g = fx.getattr("/g").require();
      assertEquals(FileKind.REGULAR.typeBits(), g.mode() & FileKind.S_IFMT);
      assertEquals("upper g", fx.readString("/g"));
      assertEquals(-ENOTDIR, fx.getattr("/g/child").rc());
      assertEquals(-ENOTDIR, fx.getattr("/f/child").rc());
    }
    List<String> names = fx.list("/");
    assertEquals(2, names.size(), names.toString());
    assertTrue(names.containsAll(List.of("f", "g")), names.toString());
  }

  @Test
  @DisplayName("a missing name is cached (no branch is read again) until the TTL, then a name created in the lower shows")
  void resolve_missingName_negativeEntryCachedUntilTtl() throws IOException {
    assertEquals(-ENOENT, fx.getattr("/neg").rc());
    fx.io.resetCounts();
    assertEquals(-ENOENT, fx.getattr("/neg").rc());
    assertEquals(0, fx.io.count("lstat"), "the second lookup was answered from the cache");

    OpsFixture.put(fx.lower(1), "neg", "now here");
    fx.advance(HALF);
    assertEquals(-ENOENT, fx.getattr("/neg").rc());
    fx.advance(HALF.plusNanos(1));
    assertEquals(8, fx.getattr("/neg").require().size());
  }

  @Test
  @DisplayName("renaming a directory drops its cached subtree: old children unreachable, new path resolves, without waiting for a TTL")
  void invalidate_directoryRenamed_subtreeDropped() throws IOException {
    assertEquals(0, fx.mkdir("/old", 0755));
    assertEquals(0, fx.mkdir("/old/sub", 0755));
    writeThroughUnion("/old/sub/child", "child", O_WRONLY | O_CREAT | O_EXCL);
    assertEquals(5, fx.getattr("/old/sub/child").require().size()); // cached
    assertEquals(-ENOENT, fx.getattr("/new/sub/child").rc()); // cached negative

    assertEquals(0, fx.rename("/old", "/new"));

    assertEquals(-ENOENT, fx.getattr("/old").rc());
    assertEquals(-ENOENT, fx.getattr("/old/sub").rc());
    assertEquals(-ENOENT, fx.getattr("/old/sub/child").rc());
    assertEquals(5, fx.getattr("/new/sub/child").require().size());
    assertEquals("child", fx.readString("/new/sub/child"));
  }

  @Test
  @DisplayName("rmdir drops the directory's cached entry; a renamed lower directory resolves under its new name only")
  void invalidate_rmdirAndRenamedLowerDir_cacheConsistent() throws IOException {
    assertEquals(0, fx.mkdir("/x", 0755));
    assertEquals(0, fx.mkdir("/x/y", 0755));
    assertEquals(0, fx.getattr("/x/y").rc());
    assertEquals(0, fx.rmdir("/x/y"));
    assertEquals(-ENOENT, fx.getattr("/x/y").rc());
    assertEquals(0, fx.rmdir("/x"));
    assertEquals(-ENOENT, fx.getattr("/x").rc());

    OpsFixture.put(fx.lower(1), "ld/f", "f");
    assertEquals(0, fx.getattr("/ld/f").rc());
    assertEquals(0, fx.rename("/ld", "/moved"));
    assertEquals(-ENOENT, fx.getattr("/ld/f").rc());
    assertEquals(-ENOENT, fx.getattr("/ld").rc());
    assertEquals(0, fx.getattr("/moved/f").rc());
  }

  @Test
  @DisplayName("generation guard: an answer read while a change was invalidated is not kept (the racing lookup itself may answer the old state)")
  void resolve_invalidatedWhileReadingBranches_answerNotCached() throws IOException {
    // the lookup of /racy reads the upper (absent), then the lower; the "concurrent" create lands
    // in between: in the upper, followed by its invalidation, as UnionOps.create does it
    fx.io.onceBeforeLstat(fx.lower(1).resolve("racy"), () -> {
      Files.writeString(fx.upper.resolve("racy"), "raced");
      fx.cache.invalidate(OpsFixture.path("/racy"));
    });

    assertEquals(-ENOENT, fx.getattr("/racy").rc(), "linearised before the create");
    assertEquals(5, fx.getattr("/racy").require().size(), "no stale negative entry kept, no TTL needed");
  }

  @Test
  @DisplayName("generation guard: any invalidation during a lookup makes it uncached (the guard is global), a quiet lookup is cached")
  void resolve_unrelatedInvalidationDuringLookup_answerNotCached() throws IOException {
    OpsFixture.put(fx.lower(1), "quiet", "q");
    OpsFixture.put(fx.lower(1), "busy", "b");
    assertEquals(0, fx.getattr("/quiet").rc());
    fx.io.resetCounts();
    assertEquals(0, fx.getattr("/quiet").rc());
    assertEquals(0, fx.io.count("lstat"), "a quiet lookup is cached");

    fx.io.onceBeforeLstat(fx.lower(1).resolve("busy"), () -> fx.cache.invalidate(OpsFixture.path("/elsewhere")));
    assertEquals(0, fx.getattr("/busy").rc());
    fx.io.resetCounts();
    assertInstanceOf(Resolution.Visible.class, fx.cache.resolve(OpsFixture.path("/busy")));
    assertTrue(fx.io.count("lstat") > 0, "the raced answer was dropped, so the branches are read again");
  }

  @Test
  @DisplayName("the bound is in heap bytes: long names evict sooner than short ones, and the weight stays under the bound")
  void resolve_manyLongNames_weightStaysUnderTheBound() throws IOException {
    fx.close();
    long bound = 200_000;
    fx = OpsFixture.withCacheBytes(root.resolve("bounded"), bound);
    String longPart = "n".repeat(200);
    for (int i = 0; i < 2_000; i++) {
      OpsFixture.put(fx.lower(1), "d/" + longPart + i, "x");
    }
    for (int i = 0; i < 2_000; i++) {
      assertEquals(0, fx.getattr("/d/" + longPart + i).rc(), "resolvable while evicting");
    }
    long weight = fx.cache.weightedSize();
    assertTrue(weight <= bound, "weight " + weight + " within " + bound);
    // a name here weighs ENTRY_BYTES + ~209 (name) + ~211 (union path) + the branch path: at most
    // a few hundred fit, far fewer than the 2,000 resolved
    assertTrue(fx.cache.size() < 400, "names kept: " + fx.cache.size());
    assertTrue(fx.cache.size() > 50, "but the cache still holds names: " + fx.cache.size());
  }

  // ---- fixed lowers (nothing goes stale): directories remembered by path ----

  private OpsFixture fixed(String name) throws IOException {
    fx.close();
    return OpsFixture.ofFixedLowers(root.resolve(name), "overlay");
  }

  @Test
  @DisplayName("fixed lowers: a sibling is found with one step from its remembered directory")
  void resolve_fixedLowers_siblingResolvedFromRememberedParent() throws IOException {
    fx = fixed("fixed");
    OpsFixture.put(fx.lower(1), "a/b/c/one", "1");
    OpsFixture.put(fx.lower(1), "a/b/c/two", "2");
    assertEquals(0, fx.getattr("/a/b/c/one").rc());
    long hits = fx.cache.stats().hitCount();
    long misses = fx.cache.stats().missCount();
    assertEquals(0, fx.getattr("/a/b/c/two").rc());
    assertEquals(hits, fx.cache.stats().hitCount(), "a, b and c were not looked up again");
    assertEquals(misses + 1, fx.cache.stats().missCount(), "only 'two' was read");
    assertEquals(-ENOENT, fx.getattr("/a/b/c/three").rc());
    assertEquals(hits, fx.cache.stats().hitCount());
  }

  @Test
  @DisplayName("fixed lowers: a directory removed and made again through the union hides the remembered one's names")
  void resolve_fixedLowers_rememberedDirectoryForgottenOnChange() throws IOException {
    fx = fixed("fixed-change");
    OpsFixture.put(fx.lower(1), "d/sub/f", "lower");
    OpsFixture.put(fx.lower(1), "d/sub/g", "lower");
    assertEquals(0, fx.getattr("/d/sub/f").rc());
    assertEquals(0, fx.getattr("/d/sub/g").rc(), "d/sub now remembered");
    assertEquals(0, fx.unlink("/d/sub/f"));
    assertEquals(0, fx.unlink("/d/sub/g"));
    assertEquals(0, fx.rmdir("/d/sub"));
    assertEquals(0, fx.mkdir("/d/sub", 0755));
    assertEquals(-ENOENT, fx.getattr("/d/sub/g").rc(), "the new directory is opaque");
    assertEquals(List.of(), fx.list("/d/sub"));
    assertEquals(0, fx.rename("/d/sub", "/d/moved"));
    writeThroughUnion("/d/moved/new", "n", O_WRONLY | O_CREAT | O_EXCL);
    assertEquals(-ENOENT, fx.getattr("/d/sub/new").rc());
    assertEquals("n", fx.readString("/d/moved/new"));
    assertTrue(Files.exists(fx.lower(1).resolve("d/sub/g")), "the lower is untouched");
  }

  @Test
  @DisplayName("fixed lowers: a missing name is not kept (the kernel keeps it), and shows once made through the union")
  void resolve_fixedLowers_missingNameReadAgain() throws IOException {
    fx = fixed("fixed-missing");
    OpsFixture.put(fx.lower(1), "d/f", "x");
    assertEquals(-ENOENT, fx.getattr("/d/nothing").rc());
    fx.io.resetCounts();
    assertEquals(-ENOENT, fx.getattr("/d/nothing").rc());
    assertEquals(1, fx.io.count("lstat"), "read from the branches again: one lstat in the lower");
    assertEquals(0, fx.mkdir("/d/nothing", 0755));
    assertEquals(0, fx.getattr("/d/nothing").rc());
  }
}
