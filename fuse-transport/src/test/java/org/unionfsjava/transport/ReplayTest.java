package org.unionfsjava.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.transport.NativeCalls.LibC;

/**
 * The decoder without a mount: a request stream recorded from Linux 6.18 (StreamRecorder) and
 * INIT requests as kernels 5.10 (7.31) and 6.18 (7.45) send them go through a session whose
 * replies are written, with the same system calls, into a file that is read back.
 */
class ReplayTest {
  @TempDir
  Path dir;
  private Path replies;
  private int replyFd;

  @BeforeEach
  void openReplies() {
    replies = dir.resolve("replies");
    replyFd = LibC.INSTANCE.open(replies.toString(), LibC.O_WRONLY | 0100 | 01000, 0600);
    assertTrue(replyFd > 0);
  }

  @AfterEach
  void closeReplies() {
    LibC.INSTANCE.close(replyFd);
  }

  /** Records the decoded calls; answers each with something plausible. */
  static final class DecodedCalls implements RequestHandler {
    final List<String> calls = new ArrayList<>();

    private static String s(ByteBuffer b) {
      byte[] a = new byte[b.remaining()];
      b.duplicate().get(a);
      return new String(a, StandardCharsets.UTF_8);
    }

    private void entry(Request r) {
      Attributes a = r.attributes();
      a.mode = 0100644;
      a.nlink = 1;
      r.replyEntry(2, 0, 0, 0, a);
    }

    @Override public void lookup(Request r, long parent, ByteBuffer name) {
      calls.add("LOOKUP " + parent + " " + s(name));
      r.replyNegativeEntry(0);
    }

    @Override public void mkdir(Request r, long parent, ByteBuffer name, int mode, int umask) {
      calls.add("MKDIR " + s(name) + " " + Integer.toOctalString(mode));
      entry(r);
    }

    @Override public void create(Request r, long parent, ByteBuffer name, int flags, int mode, int umask) {
      calls.add("CREATE " + s(name) + " " + Integer.toOctalString(mode));
      Attributes a = r.attributes();
      a.mode = 0100644;
      r.replyCreate(3, 0, 0, 0, a, 7, 0, 0);
    }

    @Override public void write(Request r, long node, long fh, long offset, ByteBuffer data, int wf, int flags) {
      calls.add("WRITE fh " + fh + " @" + offset + " " + s(data));
      r.replyWrite(data.remaining());
    }

    @Override public void setxattr(Request r, long node, ByteBuffer name, ByteBuffer value, int flags) {
      calls.add("SETXATTR " + s(name) + "=" + s(value));
      r.replyOk();
    }

    @Override public void rename(Request r, long p, ByteBuffer name, long np, ByteBuffer newName, int flags) {
      calls.add("RENAME " + s(name) + " " + s(newName));
      r.replyOk();
    }

    @Override public void symlink(Request r, long parent, ByteBuffer name, ByteBuffer target) {
      calls.add("SYMLINK " + s(name) + " -> " + s(target));
      entry(r);
    }

    @Override public void unlink(Request r, long parent, ByteBuffer name) {
      calls.add("UNLINK " + s(name));
      r.replyOk();
    }

    @Override public void rmdir(Request r, long parent, ByteBuffer name) {
      calls.add("RMDIR " + s(name));
      r.replyOk();
    }

    @Override public void statfs(Request r, long node) {
      calls.add("STATFS");
      r.replyStatfs(1, 1, 1, 1, 1, 4096, 255, 4096);
    }

    @Override public void getattr(Request r, long node, int flags, long fh) {
      Attributes a = r.attributes();
      a.mode = 040755;
      r.replyAttr(a, 0);
    }
  }

  private static List<ByteBuffer> requests(byte[] stream) {
    return records(stream, Layout.InHeader.SIZE);
  }

  /** Splits a stream of records that each begin with their uint32 length. */
  private static List<ByteBuffer> records(byte[] stream, int smallest) {
    ByteBuffer b = ByteBuffer.wrap(stream).order(ByteOrder.LITTLE_ENDIAN);
    List<ByteBuffer> out = new ArrayList<>();
    while (b.remaining() >= smallest) {
      int len = b.getInt(b.position());
      out.add(b.slice().limit(len).order(ByteOrder.LITTLE_ENDIAN));
      b.position(b.position() + len);
    }
    assertEquals(0, b.remaining(), "the stream ends with a whole request");
    return out;
  }

  private static void serve(Session.Replay replay, ByteBuffer request) {
    ByteBuffer in = replay.buffer();
    in.put(0, request, request.position(), request.remaining()); // absolute: no view allocated
    replay.serve(request.remaining());
  }

  private List<ByteBuffer> readReplies() throws Exception {
    return records(Files.readAllBytes(replies), Layout.OutHeader.SIZE);
  }

  @Test
  void recordedStream_decodesEveryCall_andAnswersEveryRequestOnce() throws Exception {
    byte[] stream = getClass().getResourceAsStream("/recorded/workload.fuse").readAllBytes();
    List<ByteBuffer> requests = requests(stream);
    DecodedCalls h = new DecodedCalls();
    Session s = Session.forReplay(replyFd, h, SessionOptions.defaults());
    Session.Replay replay = new Session.Replay(s, replyFd);
    Set<Long> needAnswer = new HashSet<>();
    for (ByteBuffer r : requests) {
      int op = r.getInt(Layout.InHeader.OPCODE);
      if (op != Opcode.FORGET.code && op != Opcode.BATCH_FORGET.code) {
        needAnswer.add(r.getLong(Layout.InHeader.UNIQUE));
      }
      serve(replay, r);
    }
    assertEquals(Opcode.INIT.code, requests.get(0).getInt(Layout.InHeader.OPCODE));
    List<String> expected = List.of("MKDIR d 755", "CREATE f 100644", "WRITE fh 1 @0 recorded bytes",
        "SETXATTR user.k=v", "RENAME f g", "SYMLINK l -> g", "UNLINK l", "UNLINK g", "RMDIR d", "STATFS");
    List<String> seen = new ArrayList<>(h.calls);
    seen.removeIf(c -> c.startsWith("LOOKUP"));
    assertEquals(expected, seen, "decoded calls, lookups left out: " + h.calls);
    // every request that needs an answer got exactly one, with a consistent header
    Set<Long> answered = new HashSet<>();
    for (ByteBuffer reply : readReplies()) {
      long unique = reply.getLong(Layout.OutHeader.UNIQUE);
      assertTrue(needAnswer.contains(unique), "a reply to #" + unique + " that no request asked for");
      assertTrue(answered.add(unique), "two replies to #" + unique);
      assertTrue(reply.getInt(Layout.OutHeader.ERROR) <= 0);
    }
    assertEquals(needAnswer, answered);
  }

  private static ByteBuffer init(int minor, int flags, int flags2, boolean longForm) {
    int args = longForm ? Layout.InitIn.SIZE : Layout.InitIn.COMPAT_SIZE;
    ByteBuffer b = ByteBuffer.allocate(Layout.InHeader.SIZE + args).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(Layout.InHeader.LEN, b.capacity()).putInt(Layout.InHeader.OPCODE, Opcode.INIT.code);
    b.putLong(Layout.InHeader.UNIQUE, 2);
    int a = Layout.InHeader.SIZE;
    b.putInt(a + Layout.InitIn.MAJOR, 7).putInt(a + Layout.InitIn.MINOR, minor);
    b.putInt(a + Layout.InitIn.MAX_READAHEAD, 131072).putInt(a + Layout.InitIn.FLAGS, flags);
    if (longForm) {
      b.putInt(a + Layout.InitIn.FLAGS2, flags2);
    }
    return b;
  }

  /** Linux 5.10 sends 16 bytes of fuse_init_in (no flags2) and reads 64 bytes of fuse_init_out. */
  @Test
  void initFromKernel510_shortForm_answersWithoutFlags2() throws Exception {
    Session s = Session.forReplay(replyFd, new DecodedCalls(), SessionOptions.defaults().withPassthrough(true, 1));
    Session.Replay replay = new Session.Replay(s, replyFd);
    int offered = (int) (InitFlags.ASYNC_READ | InitFlags.DO_READDIRPLUS | InitFlags.MAX_PAGES
        | InitFlags.PARALLEL_DIROPS | InitFlags.SETXATTR_EXT);
    serve(replay, init(31, offered, 0, false));
    ByteBuffer reply = readReplies().get(0);
    int at = Layout.OutHeader.SIZE;
    assertEquals(Layout.OutHeader.SIZE + Layout.InitOut.SIZE, reply.getInt(Layout.OutHeader.LEN));
    assertEquals(0, reply.getInt(Layout.OutHeader.ERROR));
    assertEquals(7, reply.getInt(at + Layout.InitOut.MAJOR));
    int flags = reply.getInt(at + Layout.InitOut.FLAGS);
    assertEquals(InitFlags.ASYNC_READ | InitFlags.DO_READDIRPLUS | InitFlags.MAX_PAGES | InitFlags.PARALLEL_DIROPS,
        flags & 0xffffffffL, InitFlags.describe(flags & 0xffffffffL));
    assertEquals(0, reply.getInt(at + Layout.InitOut.FLAGS2), "no flags2 for a kernel without INIT_EXT");
    assertEquals(0, reply.getInt(at + Layout.InitOut.MAX_STACK_DEPTH), "no passthrough offered");
    assertEquals(256, reply.getShort(at + Layout.InitOut.MAX_PAGES));
    assertEquals(1 << 20, reply.getInt(at + Layout.InitOut.MAX_WRITE));
    assertEquals(31, s.connection().kernelMinor());
    assertEquals(Layout.SetxattrIn.COMPAT_SIZE, s.setxattrInSize(), "SETXATTR_EXT offered but not asked for");
  }

  @Test
  void initFromKernel618_withFlags2_agreesOnPassthroughAndStackDepth() throws Exception {
    Session s = Session.forReplay(replyFd, new DecodedCalls(), SessionOptions.defaults().withPassthrough(true, 2));
    Session.Replay replay = new Session.Replay(s, replyFd);
    int offered = (int) (InitFlags.ASYNC_READ | InitFlags.INIT_EXT | InitFlags.WRITEBACK_CACHE);
    serve(replay, init(45, offered, (int) ((InitFlags.PASSTHROUGH | InitFlags.OVER_IO_URING) >>> 32), true));
    ByteBuffer reply = readReplies().get(0);
    int at = Layout.OutHeader.SIZE;
    assertEquals(InitFlags.ASYNC_READ | InitFlags.INIT_EXT, reply.getInt(at + Layout.InitOut.FLAGS) & 0xffffffffL);
    assertEquals(InitFlags.PASSTHROUGH >>> 32, reply.getInt(at + Layout.InitOut.FLAGS2));
    assertEquals(2, reply.getInt(at + Layout.InitOut.MAX_STACK_DEPTH));
    assertEquals(45, reply.getInt(at + Layout.InitOut.MINOR));
  }

  /** A handler that throws, or returns without answering: the request is answered EIO. */
  @Test
  void handlerBug_thrownOrUnanswered_requestAnsweredEio() throws Exception {
    RequestHandler buggy = new RequestHandler() {
      @Override public void getattr(Request r, long node, int flags, long fh) {
        throw new IllegalStateException("a bug in the handler");
      }

      @Override public void readlink(Request r, long node) {
        // forgets to answer
      }
    };
    Session s = Session.forReplay(replyFd, buggy, SessionOptions.defaults());
    Session.Replay replay = new Session.Replay(s, replyFd);
    for (int op : new int[] {Opcode.GETATTR.code, Opcode.READLINK.code, Opcode.GETLK.code, 99}) {
      ByteBuffer g = ByteBuffer.allocate(Layout.InHeader.SIZE + Layout.GetattrIn.SIZE).order(ByteOrder.LITTLE_ENDIAN);
      g.putInt(Layout.InHeader.LEN, g.capacity()).putInt(Layout.InHeader.OPCODE, op);
      g.putLong(Layout.InHeader.UNIQUE, 100 + op).putLong(Layout.InHeader.NODEID, 1);
      serve(replay, g);
    }
    List<ByteBuffer> r = readReplies();
    assertEquals(4, r.size());
    assertEquals(List.of(-Errno.EIO, -Errno.EIO, -Errno.ENOSYS, -Errno.ENOSYS),
        r.stream().map(b -> b.getInt(Layout.OutHeader.ERROR)).toList());
    assertEquals(List.of(103L, 105L, 131L, 199L), r.stream().map(b -> b.getLong(Layout.OutHeader.UNIQUE)).toList());
  }

  /** Requests decode and answer in place: allocation per GETATTR, measured over 20,000 of them. */
  @Test
  void getattr_decodedAndAnswered_allocatesNothingPerRequest() throws Exception {
    Session s = Session.forReplay(replyFd, new DecodedCalls(), SessionOptions.defaults());
    Session.Replay replay = new Session.Replay(s, replyFd);
    ByteBuffer g = ByteBuffer.allocate(Layout.InHeader.SIZE + Layout.GetattrIn.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    g.putInt(Layout.InHeader.LEN, g.capacity()).putInt(Layout.InHeader.OPCODE, Opcode.GETATTR.code);
    g.putLong(Layout.InHeader.NODEID, 1);
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 20_000; i++) { // warm up (JIT)
      g.putLong(Layout.InHeader.UNIQUE, i + 1);
      serve(replay, g);
    }
    long before = mx.getCurrentThreadAllocatedBytes();
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      g.putLong(Layout.InHeader.UNIQUE, i + 1);
      serve(replay, g);
    }
    long perRequest = (mx.getCurrentThreadAllocatedBytes() - before) / n;
    assertTrue(perRequest < 8, perRequest + " bytes allocated per GETATTR");
    assertEquals(2L * n, Files.size(replies) / (Layout.OutHeader.SIZE + Layout.AttrOut.SIZE));
  }
}
