package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.fs.nativeio.NativeBranchIo;

/**
 * Misses in a fixed lower's directory answered from its listing: after {@link
 * FixedLowerListings#MISSES_BEFORE_LISTING} misses the directory is listed once and later misses
 * make no system call; names it has, the upper and directories that cannot be listed still reach
 * the branch every time. Real directories, the native branch I/O, calls counted.
 */
class FixedLowerListingsTest {
  private static final int LISTING_AT = FixedLowerListings.MISSES_BEFORE_LISTING;

  @TempDir Path tmp;
  private Path lower;
  private Path upper;
  private ObservedBranchIo observed;

  @BeforeEach
  void branches() throws IOException {
    lower = Files.createDirectories(tmp.resolve("lower"));
    upper = Files.createDirectories(tmp.resolve("upper"));
    Files.createDirectories(lower.resolve("bin"));
    for (String n : List.of("sh", "ls", "cat")) {
      Files.writeString(lower.resolve("bin").resolve(n), n);
    }
    Files.createDirectories(upper.resolve("bin"));
    observed = new ObservedBranchIo(new NativeBranchIo());
  }

  private FixedLowerListings listings() {
    return new FixedLowerListings(observed, List.of(lower));
  }

  private static void missTimes(FixedLowerListings io, Path dir, int times, String prefix)
      throws IOException {
    for (int i = 0; i < times; i++) {
      assertNull(io.lstatIn(dir, prefix + i), prefix + i + " is not there");
    }
  }

  @Test
  void lowerDirectory_afterEnoughMisses_answersMissesWithoutSystemCalls() throws IOException {
    FixedLowerListings io = listings();
    Path bin = lower.resolve("bin");
    missTimes(io, bin, LISTING_AT, "miss");
    assertEquals(LISTING_AT, observed.count("lstat"),
        "each miss before the listing asks the branch");
    assertEquals(1, observed.count("list"), "listed once, at the last of those misses");
    assertEquals(1, io.listedDirectories());

    observed.resetCounts();
    missTimes(io, bin, 100, "other");
    assertEquals(0, observed.count("lstat"), "misses answered from the listing");
    assertEquals(0, observed.count("list"), "listed only once");

    for (String n : List.of("sh", "ls", "cat")) {
      assertNotNull(io.lstatIn(bin, n), n + " is in the lower");
    }
    assertEquals(3, observed.count("lstat"),
        "a name the listing has is still lstat'ed (its attributes)");
  }

  @Test
  void changeBelow_readdirReplacesListing_goneNameDropsIt_bothDropTheUnionsCache() throws IOException {
    FixedLowerListings io = listings();
    int[] dropped = {0};
    io.onChangeBelow(() -> dropped[0]++);
    Path bin = lower.resolve("bin");
    missTimes(io, bin, LISTING_AT, "miss");
    io.list(bin);
    assertEquals(0, dropped[0], "an unchanged directory's readdir changes nothing");

    Files.writeString(bin.resolve("new"), "new");
    assertNull(io.lstatIn(bin, "new"), "the kept listing answers (fixed mode trusts it)");
    io.list(bin); // a readdir shows "new" now: its lookup must find it too
    assertEquals(1, dropped[0], "the changed listing dropped the union's cache");
    assertNotNull(io.lstatIn(bin, "new"), "a name readdir showed is found");
    observed.resetCounts();
    assertNull(io.lstatIn(bin, "still-missing"));
    assertEquals(0, observed.count("lstat"), "the fresh listing answers misses again");

    Files.delete(bin.resolve("ls"));
    assertNull(io.lstatIn(bin, "ls"), "a listed name gone below is gone");
    assertEquals(2, dropped[0], "and the listing and the union's cache go with it");
    assertEquals(0, io.listedDirectories());
  }

  @Test
  void upperDirectory_isNeverListed() throws IOException {
    FixedLowerListings io = listings();
    missTimes(io, upper.resolve("bin"), 3 * LISTING_AT, "miss");
    assertEquals(3 * LISTING_AT, observed.count("lstat"));
    assertEquals(0, observed.count("list"));
    Files.writeString(upper.resolve("bin/miss1"), "made in the upper later");
    assertNotNull(io.lstatIn(upper.resolve("bin"), "miss1"), "the upper is always asked");
  }

  @Test
  void directoryOverTheLimit_isListedOnceAndThenAlwaysAsked() throws IOException {
    FixedLowerListings io = new FixedLowerListings(observed, List.of(lower), 2, 1000);
    Path bin = lower.resolve("bin"); // three names, over a limit of two
    missTimes(io, bin, 4 * LISTING_AT, "miss");
    assertEquals(1, observed.count("list"), "listed once, found too large, not listed again");
    assertEquals(4 * LISTING_AT, observed.count("lstat"), "every miss still asks the branch");
    assertEquals(0, io.listedDirectories());
  }

  @Test
  void unreadableName_missesKeepAskingTheBranch() throws IOException {
    FixedLowerListings io = listings();
    Path notADir = lower.resolve("bin/sh"); // a file: lookups under it miss, listing it fails
    missTimes(io, notADir, 3 * LISTING_AT, "x");
    assertEquals(3 * LISTING_AT, observed.count("lstat"));
    assertEquals(1, observed.count("list"));
    assertEquals(0, io.listedDirectories());
  }

  @Test
  void listings_areBoundedInNames() throws IOException {
    FixedLowerListings io = new FixedLowerListings(observed, List.of(lower), 100, 10);
    for (int d = 0; d < 4; d++) {
      Path dir = Files.createDirectories(lower.resolve("d" + d));
      for (int i = 0; i < 5; i++) {
        Files.writeString(dir.resolve("f" + i), "");
      }
      missTimes(io, dir, LISTING_AT, "miss");
    }
    assertEquals(4, observed.count("list"));
    assertTrue(io.listedDirectories() <= 1,
        "10 names hold at most one listing of 5 names (weight 6): " + io.listedDirectories());
    observed.resetCounts();
    missTimes(io, lower.resolve("d0"), 3, "late");
    missTimes(io, lower.resolve("d3"), 3, "late");
    assertTrue(observed.count("lstat") >= 3, "an evicted listing means asking the branch again");
  }
}
