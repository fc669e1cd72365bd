package org.unionfsjava.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.fs.MountTable;

/**
 * Runs the FUSE server in the background: the JVM cannot fork, so it starts a second JVM in its
 * own session ({@code setsid}) that mounts in the foreground and logs to a file, and waits until
 * the union shows up in the mount table.
 */
final class BackgroundLauncher {

  /** How long the parent waits for the union to appear before it gives up. */
  static final Duration READINESS_TIMEOUT = Duration.ofSeconds(60);

  private static final Logger LOG = LogManager.getLogger(BackgroundLauncher.class);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(10);
  private static final String ERROR_PREFIX = "unionfs-java:";
  /**
   * The system property that makes a server log to a file of its own, rolled by size
   * (log4j2.xml); its stdout and stderr are appended to the same file for what does not go
   * through Log4j (error lines, libfuse's messages).
   */
  static final String LOG_FILE_PROPERTY = "unionfs.log.file";

  private final Path mountInfo;
  private final Duration readinessTimeout;

  BackgroundLauncher(Path mountInfo, Duration readinessTimeout) {
    this.mountInfo = mountInfo;
    this.readinessTimeout = readinessTimeout;
  }

  /**
   * Starts {@code command} detached, its output appended to {@code logFile} (null: to this
   * process's stdout and stderr, the journal under systemd), and waits until the union is mounted
   * at {@code mountPoint}.
   *
   * @return 0 once mounted (after printing one line to {@code out}), or the server's exit code if
   *     it exits first (after printing its last error line to {@code err})
   * @throws CommandFailure if the log cannot be written, the server cannot be started, or the
   *     union does not appear in time (the server is then stopped)
   */
  int launch(List<String> command, Path mountPoint, Path logFile, PrintWriter out, PrintWriter err)
      throws CommandFailure, InterruptedException {
    long logOffset = logFile == null ? 0 : startLog(logFile, command);
    Process server = start(command, logFile);
    LOG.info("started the server, pid {}, log {}", server.pid(), logName(logFile));
    // Ctrl-C while waiting aborts the mount: the server is asked to stop (and unmounts).
    Thread abortOnExit = new Thread(server::destroy, "unionfs-java-abort");
    Runtime.getRuntime().addShutdownHook(abortOnExit);
    try {
      return awaitMount(server, mountPoint, logFile, logOffset, out, err);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(abortOnExit);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running
      }
    }
  }

  private int awaitMount(Process server, Path mountPoint, Path logFile, long logOffset,
      PrintWriter out, PrintWriter err) throws CommandFailure, InterruptedException {
    long deadline = System.nanoTime() + readinessTimeout.toNanos();
    while (true) {
      if (isMounted(mountPoint)) {
        out.println("mounted " + mountPoint + " (pid " + server.pid() + ", log " + logName(logFile)
            + ")");
        out.flush();
        return ExitStatus.OK.code();
      }
      if (!server.isAlive()) {
        return reportEarlyExit(server.exitValue(), logFile, logOffset, err);
      }
      if (System.nanoTime() > deadline) {
        stop(server);
        throw new CommandFailure(ExitStatus.MOUNT_FAILED, "the union did not appear within "
            + readinessTimeout.toSeconds() + " s, server stopped (see " + logName(logFile) + ")",
            mountPoint);
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
  }

  /** What the messages call the log: its file, or the journal. */
  private static String logName(Path logFile) {
    return logFile == null ? "the journal" : logFile.toString();
  }

  /** The default log file of a background mount: one per mount point, named after its path. */
  static Path defaultLogFile(Path logDirectory, Path mountPoint) {
    return logDirectory.resolve(escapeMountPoint(mountPoint) + ".log");
  }

  /**
   * A file name for a mount point: {@code /var/tmp/u} becomes {@code var-tmp-u}; characters other
   * than letters, digits, {@code . _ -} become {@code _}, and {@code /} itself becomes {@code root}.
   */
  static String escapeMountPoint(Path mountPoint) {
    String path = mountPoint.toAbsolutePath().normalize().toString();
    String trimmed = path.replaceAll("^/+", "").replaceAll("/+$", "");
    if (trimmed.isEmpty()) {
      return "root";
    }
    StringBuilder name = new StringBuilder(trimmed.length());
    trimmed.codePoints().forEach(c -> {
      if (c == '/') {
        name.append('-');
      } else if (c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-')) {
        name.append((char) c);
      } else {
        name.append('_');
      }
    });
    return name.toString();
  }

  /**
   * The command that runs this CLI again in a new JVM: the same java binary, JVM options and class
   * path (without a debugger agent, whose port the parent holds), then {@code arguments}.
   */
  static List<String> relaunchCommand(List<String> arguments) {
    return relaunchCommand(null, arguments);
  }

  /**
   * {@link #relaunchCommand(List)} for a server that logs to {@code logFile} (null: to stderr):
   * the system property {@value #LOG_FILE_PROPERTY} selects log4j2.xml's rolling file appender.
   */
  static List<String> relaunchCommand(Path logFile, List<String> arguments) {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>();
    command.add(java);
    for (String jvmArgument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!jvmArgument.startsWith("-agentlib:jdwp") && !jvmArgument.startsWith("-Xrunjdwp")
          && !jvmArgument.startsWith("-D" + LOG_FILE_PROPERTY + "=")) {
        command.add(jvmArgument);
      }
    }
    if (logFile != null) {
      command.add("-D" + LOG_FILE_PROPERTY + "=" + logFile);
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(UnionfsCommand.class.getName());
    command.addAll(arguments);
    return command;
  }

  private boolean isMounted(Path mountPoint) throws CommandFailure {
    try {
      return MountTable.read(mountInfo).mountAt(mountPoint).map(MountTable.Entry::isUnion)
          .orElse(false);
    } catch (IOException e) {
      throw new CommandFailure(ExitStatus.ENVIRONMENT,
          "cannot read the mount table (" + e.getMessage() + ")", mountInfo);
    }
  }

  /** Creates the log's directory, appends a header line and returns where this run's output starts. */
  private static long startLog(Path logFile, List<String> command) throws CommandFailure {
    try {
      Path directory = logFile.toAbsolutePath().getParent();
      if (directory != null) {
        Files.createDirectories(directory);
      }
      Files.writeString(logFile,
          "--- " + OffsetDateTime.now() + " starting: " + describe(command) + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      return Files.size(logFile);
    } catch (IOException e) {
      throw new CommandFailure(ExitStatus.ENVIRONMENT, "cannot write the log file ("
          + e.getClass().getSimpleName() + "; choose another with --log-file)", logFile);
    }
  }

  /** The command as one line, without the (long) class path. */
  private static String describe(List<String> command) {
    List<String> shown = new ArrayList<>(command);
    int classPath = shown.indexOf("-cp");
    if (classPath >= 0 && classPath + 1 < shown.size()) {
      shown.set(classPath + 1, "...");
    }
    return String.join(" ", shown);
  }

  private static Process start(List<String> command, Path logFile) throws CommandFailure {
    List<String> detached = new ArrayList<>();
    Path setsid = findSetsid();
    if (setsid != null) {
      detached.add(setsid.toString());
    } else {
      LOG.warn("no setsid found; the server stays in this session");
    }
    detached.addAll(command);
    try {
      ProcessBuilder builder = new ProcessBuilder(
          org.unionfsjava.model.NameCharset.processCommand(detached))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      if (logFile == null) {
        builder.redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .redirectError(ProcessBuilder.Redirect.INHERIT);
      } else {
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .redirectErrorStream(true);
      }
      return builder.start();
    } catch (IOException e) {
      throw new CommandFailure(ExitStatus.ENVIRONMENT,
          "cannot start the server (" + e.getMessage() + ")", Path.of(command.get(0)));
    }
  }

  private static Path findSetsid() {
    for (String candidate : List.of("/usr/bin/setsid", "/bin/setsid", "/usr/sbin/setsid",
        "/sbin/setsid")) {
      Path path = Path.of(candidate);
      if (Files.isExecutable(path)) {
        return path;
      }
    }
    return null;
  }

  private static int reportEarlyExit(int exitCode, Path logFile, long logOffset, PrintWriter err) {
    String line = logFile == null ? null : lastErrorLine(readFrom(logFile, logOffset));
    if (line == null) {
      line = ERROR_PREFIX + " the server exited with code " + exitCode
          + " before the union appeared (see " + logName(logFile) + ")";
    }
    err.println(line);
    err.flush();
    return exitCode == 0 ? ExitStatus.MOUNT_FAILED.code() : exitCode;
  }

  /**
   * The last line that is an error report of this CLI, else the last non-blank line, or null.
   * libfuse's mount helper writes its reason straight to the server's stderr ({@code
   * fusermount3: option allow_other only allowed if ...}), where the union cannot catch it: a
   * report that libfuse could not mount, with such a line before it, gets that reason instead.
   */
  static String lastErrorLine(String output) {
    String lastReport = null;
    String lastLine = null;
    String helperReason = null;
    for (String line : output.split("\n")) {
      if (line.startsWith(ERROR_PREFIX)) {
        lastReport = line;
      }
      if (line.startsWith("fusermount3: ") || line.startsWith("fusermount: ")) {
        helperReason = line.strip();
      }
      if (!line.isBlank()) {
        lastLine = line;
      }
    }
    if (lastReport != null && helperReason != null) {
      java.util.regex.Matcher generic = java.util.regex.Pattern
          .compile("libfuse 3 could not mount or serve .* \\(status \\d+\\)").matcher(lastReport);
      if (generic.find()) {
        return lastReport.substring(0, generic.start()) + helperReason
            + lastReport.substring(generic.end());
      }
    }
    return lastReport != null ? lastReport : lastLine;
  }

  private static String readFrom(Path logFile, long offset) {
    try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
      long length = Math.max(0, file.length() - offset);
      byte[] bytes = new byte[(int) Math.min(length, 1 << 20)];
      file.seek(file.length() - bytes.length);
      file.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static void stop(Process server) throws InterruptedException {
    server.destroy();
    if (!server.waitFor(5, TimeUnit.SECONDS)) {
      server.destroyForcibly();
      server.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
