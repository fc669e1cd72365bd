package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which thread answers a READ: a reader thread while handles interleave, the loop when one is read alone. */
class ReadDispatchTest {

  /** The name of the thread that ran a read submitted for {@code fh}. */
  private static String ranOn(ReadDispatch reads, long fh) throws Exception {
    CompletableFuture<String> thread = new CompletableFuture<>();
    reads.submit(fh, () -> thread.complete(Thread.currentThread().getName()));
    return thread.get(10, TimeUnit.SECONDS);
  }

  @Test
  void firstReadOfAHandle_onItsReaderThread_thenOnTheLoopOnceAlone() throws Exception {
    ReadDispatch reads = new ReadDispatch(2);
    try {
      String loop = Thread.currentThread().getName();
      assertTrue(ranOn(reads, 7).startsWith("fuse-read-"), "a handle's first read");
      Thread.sleep(TimeUnit.NANOSECONDS.toMillis(ReadDispatch.SOLO_NANOS) + 20);
      assertEquals(loop, ranOn(reads, 7), "read alone for longer than SOLO_NANOS");
      assertEquals(loop, ranOn(reads, 7));
    } finally {
      reads.shutdown();
    }
  }

  @Test
  void interleavedHandles_stayOnTheirOwnReaderThreads() throws Exception {
    ReadDispatch reads = new ReadDispatch(2);
    try {
      for (int i = 0; i < 20; i++) {
        assertEquals("fuse-read-1", ranOn(reads, 4), "handle 4, round " + i);
        assertEquals("fuse-read-2", ranOn(reads, 5), "handle 5, round " + i);
      }
    } finally {
      reads.shutdown();
    }
  }

  @Test
  void noReaderThreads_everyReadOnTheCaller() throws Exception {
    ReadDispatch reads = new ReadDispatch(0);
    assertEquals(0, reads.threads());
    String loop = Thread.currentThread().getName();
    assertEquals(loop, ranOn(reads, 1));
    assertEquals(loop, ranOn(reads, 2));
  }
}
