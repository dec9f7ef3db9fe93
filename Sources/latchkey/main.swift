import Foundation
import LatchkeyCore

exit(
  CommandLine.run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))
