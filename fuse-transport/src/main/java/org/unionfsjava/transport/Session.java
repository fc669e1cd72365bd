package org.unionfsjava.transport;

import org.unionfsjava.transport.NativeCalls.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Serves one FUSE connection: worker threads read requests from /dev/fuse into their own direct
 * buffers, decode them in place and call the {@link RequestHandler}; each request is answered by
 * the worker that read it, on the descriptor it came from. The session answers INIT and
 * INTERRUPT itself, sends notifications, and registers backing files for passthrough.
 *
 * <p>It ends when the kernel ends the connection: a read answers ENODEV once the filesystem is
 * unmounted (or the connection aborted). The descriptor given stays the caller's ({@link
 * FuseMount} closes it); cloned queues are the session's.
 */
public final class Session implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger();

  private final int deviceFd;
  private final RequestHandler handler;
  private final SessionOptions options;
  private final List<Worker> workers = new ArrayList<>();
  private final CountDownLatch initialized = new CountDownLatch(1);
  private final AtomicLongArray counts = new AtomicLongArray(64);
  private final AtomicLong forgotten = new AtomicLong();
  private final Notifier notifier;
  private final BackingFiles backingFiles;
  private volatile Connection connection;
  private volatile int setxattrInSize = Layout.SetxattrIn.COMPAT_SIZE;
  private volatile boolean closed;
  private volatile java.nio.channels.WritableByteChannel recording;
  private final java.util.concurrent.atomic.AtomicBoolean destroyed = new java.util.concurrent.atomic.AtomicBoolean();

  /** A worker: its thread, its descriptor (the session's or a clone), its request. */
  private final class Worker implements Runnable {
    final int fd;
    final boolean cloned;
    final Request request;
    final Dispatcher dispatcher;
    final Thread thread;

    Worker(int index, int fd, boolean cloned) {
      this.fd = fd;
      this.cloned = cloned;
      this.request = new Request(Session.this, fd, options.requestBufferSize(), options.replyBufferSize());
      this.dispatcher = new Dispatcher(Session.this, handler, request);
      this.thread = new Thread(this, "fuse-worker-" + index);
      this.thread.setDaemon(true);
    }

    @Override
    public void run() {
      NativeBuffer in = request.in;
      while (!closed) {
        long n = LibC.INSTANCE.read(fd, in.address, in.capacity());
        if (n < 0) {
          int errno = LibC.errno();
          if (errno == Errno.EINTR || errno == Errno.EAGAIN || errno == Errno.ENOENT) {
            continue; // a signal, or a request interrupted before it could be read
          }
          if (errno == Errno.ENODEV) {
            LOG.debug("{}: the connection ended (unmounted)", thread.getName());
          } else if (errno == Errno.ECONNABORTED) {
            LOG.info("{}: the connection was aborted", thread.getName());
          } else if (!closed) {
            LOG.error("{}: reading /dev/fuse failed, errno {}", thread.getName(), errno);
          }
          break;
        }
        int op = in.buffer.getInt(Layout.InHeader.OPCODE);
        counts.incrementAndGet(op & 63);
        if (recording != null) {
          record(in.buffer, (int) n);
        }
        dispatcher.dispatch((int) n);
      }
      request.close();
    }
  }

  /**
   * A session on {@code deviceFd} (a /dev/fuse descriptor of a mount that has not answered INIT
   * yet). Nothing runs until {@link #start}.
   */
  public Session(int deviceFd, RequestHandler handler, SessionOptions options) {
    this.deviceFd = deviceFd;
    this.handler = handler;
    this.options = options;
    this.notifier = new Notifier(deviceFd);
    this.backingFiles = new BackingFiles(deviceFd);
  }

  /** A session for replaying requests without a mount: replies go to {@code replyFd}. */
  static Session forReplay(int replyFd, RequestHandler handler, SessionOptions options) {
    return new Session(replyFd, handler, options);
  }

  /**
   * Copies every request read from now on to {@code channel}, as read (each begins with its
   * length): a stream to replay through the decoder without a mount.
   */
  public void record(java.nio.channels.WritableByteChannel channel) {
    recording = channel;
  }

  private synchronized void record(ByteBuffer in, int length) {
    try {
      ByteBuffer copy = in.duplicate().position(0).limit(length);
      while (copy.hasRemaining()) {
        recording.write(copy);
      }
    } catch (IOException e) {
      LOG.warn("recording requests stopped", e);
      recording = null;
    }
  }

  /** Starts the workers; every worker after the first gets a cloned queue if the options say so. */
  public Session start() throws IOException {
    for (int i = 0; i < options.workers(); i++) {
      int fd = deviceFd;
      boolean cloned = false;
      if (i > 0 && options.cloneQueues()) {
        fd = FuseDevice.cloneOf(deviceFd);
        cloned = true;
      }
      workers.add(new Worker(i, fd, cloned));
    }
    for (Worker w : workers) {
      w.thread.start();
    }
    return this;
  }

  /** Waits until INIT was answered; the connection as agreed. */
  public Connection awaitInit(long timeout, TimeUnit unit) throws IOException, InterruptedException {
    if (!initialized.await(timeout, unit)) {
      throw new IOException("no INIT from the kernel within " + timeout + " " + unit);
    }
    return connection;
  }

  /** The connection, once INIT was answered (null before). */
  public Connection connection() {
    return connection;
  }

  /** Waits for every worker to end (after the unmount); false if one is still running. */
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    for (Worker w : workers) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        w.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
      if (w.thread.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /** How many requests of this opcode were read so far. */
  public long count(Opcode opcode) {
    return counts.get(opcode.code);
  }

  /** How many node references FORGET and BATCH_FORGET carried (one per node entry). */
  public long forgottenNodes() {
    return forgotten.get();
  }

  void forgot(int nodes) {
    forgotten.addAndGet(nodes);
  }

  int setxattrInSize() {
    return setxattrInSize;
  }

  /** Answers INIT: decodes the kernel's offer by its length, asks the handler, replies. */
  void init(Request r) {
    ByteBuffer in = r.in.buffer;
    int a = Layout.InHeader.SIZE;
    int args = r.argumentsEnd() - a;
    int major = in.getInt(a + Layout.InitIn.MAJOR);
    int minor = in.getInt(a + Layout.InitIn.MINOR);
    if (major > Protocol.KERNEL_VERSION) {
      // the kernel speaks a newer major version: name ours, it sends INIT again
      ByteBuffer out = r.out.buffer;
      out.putInt(Layout.OutHeader.SIZE + Layout.InitOut.MAJOR, Protocol.KERNEL_VERSION);
      out.putInt(Layout.OutHeader.SIZE + Layout.InitOut.MINOR, Protocol.KERNEL_MINOR_VERSION);
      r.sendPrepared(8, 0);
      return;
    }
    if (major < Protocol.KERNEL_VERSION || minor < Protocol.OLDEST_MINOR_VERSION || args < Layout.InitIn.COMPAT_SIZE) {
      LOG.error("kernel FUSE protocol {}.{} is older than 7.{}: refused", major, minor, Protocol.OLDEST_MINOR_VERSION);
      r.replyError(Errno.EPROTO);
      initialized.countDown();
      return;
    }
    long flags = in.getInt(a + Layout.InitIn.FLAGS) & 0xffffffffL;
    if ((flags & InitFlags.INIT_EXT) != 0 && args >= Layout.InitIn.FLAGS2 + 4) {
      flags |= (in.getInt(a + Layout.InitIn.FLAGS2) & 0xffffffffL) << 32;
    }
    Connection c = new Connection(major, minor, flags, in.getInt(a + Layout.InitIn.MAX_READAHEAD), options);
    handler.init(c);
    int n = c.writeReply(r.out.buffer, Layout.OutHeader.SIZE);
    if (c.negotiated(InitFlags.SETXATTR_EXT)) {
      setxattrInSize = Layout.SetxattrIn.SIZE;
    }
    connection = c;
    r.sendPrepared(n, 0);
    LOG.info("{}", c);
    initialized.countDown();
  }

  /** INTERRUPT: marks the named request if a worker is serving it; EAGAIN (asked again later) if none is yet. */
  void interrupt(Request r, long target) {
    for (Worker w : workers) {
      Request q = w.request;
      if (q != r && q.inFlight() == target) {
        LOG.debug("request #{} interrupted", target);
        r.replyNone();
        q.interrupt();
        return;
      }
    }
    r.replyError(Errno.EAGAIN);
  }

  /** Unsolicited messages to the kernel: invalidations and deletions. */
  public Notifier notifier() {
    return notifier;
  }

  /** Backing files for passthrough (FUSE_DEV_IOC_BACKING_OPEN and BACKING_CLOSE). */
  public BackingFiles backingFiles() {
    return backingFiles;
  }

  /**
   * Ends the session: the workers stop after their current read (an unmount ends them; a session
   * still mounted needs {@link FuseMount#abort}). Cloned queues are closed once their worker ended.
   */
  @Override
  public void close() {
    closed = true;
    boolean ended;
    try {
      ended = awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ended = false;
    }
    for (Worker w : workers) {
      if (w.cloned && !w.thread.isAlive()) {
        LibC.INSTANCE.close(w.fd);
      }
    }
    if (!ended) {
      LOG.warn("FUSE workers still reading: the filesystem is still mounted");
    }
    destroy();
  }

  /** Calls the handler's destroy once (DESTROY from the kernel, or the session's end). */
  void destroy() {
    if (destroyed.compareAndSet(false, true)) {
      handler.destroy();
    }
  }

  /** Serves one request already in {@code length} bytes of a replay worker's buffer (tests). */
  static final class Replay {
    private final Request request;
    private final Dispatcher dispatcher;

    Replay(Session session, int replyFd) {
      this.request = new Request(session, replyFd, session.options.requestBufferSize(), session.options.replyBufferSize());
      this.dispatcher = new Dispatcher(session, session.handler, request);
    }

    ByteBuffer buffer() {
      return request.in.buffer;
    }

    void serve(int length) {
      session().counts.incrementAndGet(request.in.buffer.getInt(Layout.InHeader.OPCODE) & 63);
      dispatcher.dispatch(length);
    }

    private Session session() {
      return request.session();
    }
  }
}
