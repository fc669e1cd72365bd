package org.unionfsjava.cli;

import org.unionfsjava.fs.Tuning;
import org.unionfsjava.model.CrashPoints;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/** The command {@code unionfs-java}: mounts and unmounts copy-on-write unions. */
@Command(
    name = "unionfs-java",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "A copy-on-write union filesystem on FUSE: one writable upper directory over read-only"
            + " lower directories, shown as one tree at a mount point.",
        "",
        "Run 'unionfs-java COMMAND --help' for the options of a command."
    },
    subcommands = {MountCommand.class, UmountCommand.class, DiffCommand.class, CommitCommand.class,
        ConvertCommand.class, CheckCommand.class, ExportCommand.class, SnapshotCommand.class,
        ResetCommand.class, RollbackCommand.class, SquashCommand.class,
        HelpCommand.class})
public final class UnionfsCommand implements Callable<Integer> {

  static {
    // before logging starts: log lines carry file names as bytes (LosslessNames)
    org.unionfsjava.fs.LosslessNames.adopt();
  }

  @Mixin
  LoggingMixin loggingMixin;

  @Spec
  private CommandSpec spec;

  private final Host host;

  UnionfsCommand(Host host) {
    this.host = host;
  }

  /** Runs the command line and exits with its documented exit code. */
  public static void main(String[] args) {
    int exitCode;
    try {
      // the unionfs.* system properties, read here once; everything below is given the values
      Tuning tuning = Tuning.fromSystemProperties();
      if (!tuning.crashPoints().isEmpty()) {
        CrashPoints.arm(tuning.crashPoints());
      }
      StartupOverlap overlap = StartupOverlap.begin(args, tuning);
      CommandLine commandLine = newCommandLine(Host.real(tuning));
      // what the command prints is text for people: UTF-8 whatever file.encoding says (LosslessNames)
      commandLine.setOut(new PrintWriter(new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8), true));
      commandLine.setErr(new PrintWriter(new java.io.OutputStreamWriter(System.err, java.nio.charset.StandardCharsets.UTF_8), true));
      overlap.await();
      exitCode = commandLine.execute(args);
    } catch (Throwable unexpected) { // an Error escapes picocli's handlers: still one line
      System.err.println(ExitStatusMapper.errorLine(unexpected));
      log().debug("stack trace of the unexpected error", unexpected);
      exitCode = ExitStatus.UNEXPECTED.code();
    }
    System.exit(exitCode);
  }

  /** This class's logger, made when first needed: Log4j starts with a mount (StartupOverlap). */
  private static Logger log() {
    return LogManager.getLogger(UnionfsCommand.class);
  }

  /** Without a subcommand: prints the usage on stderr; that is a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitStatus.USAGE.code();
  }

  /** The machine this command works on. */
  Host host() {
    return host;
  }

  /**
   * The command line as this program runs it, for tools that read its model: the build's manual
   * pages and shell completion (module {@code packaging}) list every subcommand it has.
   */
  public static CommandLine commandLine() {
    return newCommandLine(Host.real(Tuning.defaults()));
  }

  /** A command line with this project's exit codes, error lines and logging set up. */
  static CommandLine newCommandLine(Host host) {
    CommandLine commandLine = new CommandLine(new UnionfsCommand(host));
    commandLine.setExecutionStrategy(LoggingMixin::executionStrategy);
    commandLine.setExitCodeExceptionMapper(new ExitStatusMapper());
    commandLine.setParameterExceptionHandler(UnionfsCommand::handleUsageError);
    commandLine.setExecutionExceptionHandler((exception, failed, parseResult) -> {
      failed.getErr().println(ExitStatusMapper.errorLine(exception));
      failed.getErr().flush();
      if (ExitStatusMapper.statusOf(exception) == ExitStatus.UNEXPECTED) {
        log().debug("stack trace of the unexpected error", exception);
      }
      return failed.getExitCodeExceptionMapper().getExitCode(exception);
    });
    addExitCodeList(commandLine);
    return commandLine;
  }

  private static void addExitCodeList(CommandLine commandLine) {
    if (commandLine.getCommandSpec().userObject() instanceof HelpCommand) {
      return;
    }
    commandLine.getCommandSpec().usageMessage()
        .exitCodeListHeading("%nExit codes:%n")
        .exitCodeList(ExitStatus.helpList());
    for (CommandLine sub : commandLine.getSubcommands().values()) {
      addExitCodeList(sub);
    }
  }

  private static int handleUsageError(CommandLine.ParameterException exception, String[] args) {
    CommandLine failed = exception.getCommandLine();
    PrintWriter err = failed.getErr();
    err.println("unionfs-java: " + exception.getMessage());
    UnmatchedArgumentException.printSuggestions(exception, err);
    err.println("Run '" + failed.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return ExitStatus.USAGE.code();
  }
}
