package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The listings the kernel reads without a handle: fresh at offset 0, kept until read to the end. */
class KernelCachedListingsTest {
  private final List<Long> listed = new ArrayList<>();
  private final KernelCachedListings listings = new KernelCachedListings(node -> {
    listed.add(node);
    return List.of(new DirHandle.Entry(".", node, 4), new DirHandle.Entry("..", 1, 4),
        new DirHandle.Entry("name-" + listed.size(), 100 + listed.size(), 8));
  });

  @Test
  void laterOffsets_continueInTheListingTakenAtOffsetZero() throws Exception {
    List<DirHandle.Entry> first = listings.read(7, 0);
    assertSame(first, listings.read(7, 2), "offset 2 reads the same listing");
    assertEquals(List.of(7L), listed, "listed once");
    listings.finished(7, first);
    assertEquals(0, listings.size(), "read to the end: not kept");
  }

  @Test
  void offsetZero_alwaysListsAfresh() throws Exception {
    List<DirHandle.Entry> first = listings.read(7, 0);
    List<DirHandle.Entry> again = listings.read(7, 0);
    assertNotSame(first, again);
    assertEquals(List.of(7L, 7L), listed);
    listings.finished(7, first); // an older reader finishing does not drop the newer listing
    assertSame(again, listings.read(7, 1));
    assertEquals(2, listed.size());
  }

  @Test
  void aListingNoLongerKept_isTakenAgain() throws Exception {
    List<DirHandle.Entry> first = listings.read(7, 0);
    listings.finished(7, first);
    List<DirHandle.Entry> later = listings.read(7, 2);
    assertNotSame(first, later);
    assertEquals(List.of(7L, 7L), listed);
  }

  @Test
  void atMost64Kept_leastRecentlyReadGoesFirst() throws Exception {
    for (long node = 1; node <= 64; node++) {
      listings.read(node, 0);
    }
    listings.read(1, 1); // node 1 read recently: node 2 is now the eldest
    listings.read(65, 0);
    assertEquals(64, listings.size());
    int before = listed.size();
    listings.read(1, 1);
    assertEquals(before, listed.size(), "node 1 still kept");
    listings.read(2, 1);
    assertEquals(before + 1, listed.size(), "node 2 was dropped and is listed again");
  }
}
