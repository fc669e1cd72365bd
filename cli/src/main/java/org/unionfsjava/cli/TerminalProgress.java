package org.unionfsjava.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.unionfsjava.lifecycle.Progress;
import org.unionfsjava.lifecycle.ToolCalls;

/**
 * A tool's progress on the terminal (the progressbar library, on stderr): objects done, their
 * rate and the time taken; nothing at all when stderr is not a terminal (scripts, logs), or with
 * {@code --quiet}.
 */
final class TerminalProgress implements Progress {
  private final PrintStream err;
  private ProgressBar bar;

  private TerminalProgress(PrintStream err) {
    this.err = err;
  }

  /** A progress display for stderr if it is a terminal, else {@link Progress#NONE}. */
  static Progress forStderr(boolean quiet) {
    if (quiet || !ToolCalls.isTerminal(2)) {
      return Progress.NONE;
    }
    return new TerminalProgress(System.err);
  }

  @Override
  public synchronized void begin(String task) {
    end();
    bar = new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(-1)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(200)
        .setUnit(" objects", 1)
        .showSpeed()
        .clearDisplayOnFinish()
        .setConsumer(new ConsoleProgressBarConsumer(err))
        .build();
  }

  @Override
  public void advance(long items, long bytes) {
    ProgressBar b = bar;
    if (b != null && items > 0) {
      b.stepBy(items);
    }
  }

  @Override
  public synchronized void end() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
