package org.unionfsjava.lifecycle;

/**
 * What a long tool reports as it goes, and where it notices that it must stop: every step calls
 * {@link #step}, which throws {@link Interrupted} once the thread was interrupted (the CLI
 * interrupts it on Ctrl-C), so a tool stops between two steps and can undo what it built aside.
 */
public interface Progress {

  /** Progress that shows nothing (scripts, tests). */
  Progress NONE = new Progress() {
    @Override
    public void begin(String task) {}

    @Override
    public void advance(long items, long bytes) {}

    @Override
    public void end() {}
  };

  /** A new phase of the work begins ("scanning the upper", "linking", ...). */
  void begin(String task);

  /** {@code items} more objects done, {@code bytes} more data copied. */
  void advance(long items, long bytes);

  /** The work is over (successfully or not). */
  void end();

  /** One object done; throws if the tool was asked to stop. */
  default void step() throws Interrupted {
    advance(1, 0);
    checkInterrupted();
  }

  /** Throws {@link Interrupted} if the thread was interrupted (the flag stays set). */
  static void checkInterrupted() throws Interrupted {
    if (Thread.currentThread().isInterrupted()) {
      throw new Interrupted();
    }
  }

  /** The tool was asked to stop (Ctrl-C). */
  final class Interrupted extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    public Interrupted() {
      super("interrupted");
    }
  }
}
