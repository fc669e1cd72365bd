package org.unionfsjava.transport;

/**
 * How a {@link Session} serves: its worker threads, whether each gets its own /dev/fuse queue
 * (FUSE_DEV_IOC_CLONE), the largest WRITE and READ it accepts, the INIT capabilities it asks for
 * before the handler's {@link RequestHandler#init} adjusts them, and whether it asks for
 * passthrough with which stacking depth.
 *
 * @param workers threads reading requests (at least 1; an INTERRUPT for a blocked request only
 *     gets through with 2 or more)
 * @param cloneQueues every worker after the first reads its own cloned descriptor
 * @param maxWrite bytes of data in one WRITE (and READ): 1 MiB asks the kernel for 256 pages
 * @param want INIT flags asked for (those the kernel does not offer are dropped)
 * @param passthrough ask for FUSE_PASSTHROUGH
 * @param maxStackDepth how deep the backing files' filesystems may be stacked, plus one: 1 for
 *     backing files on ext4 or tmpfs, 2 for files on an overlayfs (the FUSE mount then cannot be
 *     stacked on itself)
 */
public record SessionOptions(int workers, boolean cloneQueues, int maxWrite, long want, boolean passthrough,
    int maxStackDepth) {

  /** What any filesystem can take: async reads, parallel dirops, readdirplus (auto), 1 MiB requests, splice. */
  public static final long DEFAULT_WANT = InitFlags.ASYNC_READ | InitFlags.BIG_WRITES | InitFlags.MAX_PAGES
      | InitFlags.PARALLEL_DIROPS | InitFlags.DO_READDIRPLUS | InitFlags.READDIRPLUS_AUTO
      | InitFlags.SPLICE_WRITE | InitFlags.SPLICE_MOVE | InitFlags.ABORT_ERROR;

  public SessionOptions {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1: " + workers);
    }
    if (maxWrite < 4096 || maxWrite > (1 << 24)) {
      throw new IllegalArgumentException("maxWrite out of range: " + maxWrite);
    }
    if (passthrough && (maxStackDepth < 1 || maxStackDepth > Protocol.FILESYSTEM_MAX_STACK_DEPTH)) {
      throw new IllegalArgumentException("maxStackDepth must be 1 or 2 with passthrough: " + maxStackDepth);
    }
  }

  /** Two workers sharing one queue, 1 MiB requests, the default capabilities, no passthrough. */
  public static SessionOptions defaults() {
    return new SessionOptions(2, false, 1 << 20, DEFAULT_WANT, false, 1);
  }

  public SessionOptions withWorkers(int n) {
    return new SessionOptions(n, cloneQueues, maxWrite, want, passthrough, maxStackDepth);
  }

  public SessionOptions withCloneQueues(boolean clone) {
    return new SessionOptions(workers, clone, maxWrite, want, passthrough, maxStackDepth);
  }

  public SessionOptions withMaxWrite(int bytes) {
    return new SessionOptions(workers, cloneQueues, bytes, want, passthrough, maxStackDepth);
  }

  public SessionOptions withWant(long flags) {
    return new SessionOptions(workers, cloneQueues, maxWrite, flags, passthrough, maxStackDepth);
  }

  public SessionOptions withPassthrough(boolean on, int stackDepth) {
    return new SessionOptions(workers, cloneQueues, maxWrite, want, on, stackDepth);
  }

  /** The request buffer: the largest WRITE's data plus its headers, rounded to a page. */
  int requestBufferSize() {
    return maxWrite + 4096;
  }

  /** The reply buffer: the largest READ's data plus the out header. */
  int replyBufferSize() {
    return maxWrite + 4096;
  }
}
