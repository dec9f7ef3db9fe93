import Foundation

CommandLine.blockShutdownSignals()
exit(
  CommandLine.run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))
