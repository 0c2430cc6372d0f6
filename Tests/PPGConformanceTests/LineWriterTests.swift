import Foundation
import Synchronization
import Testing

@testable import PPGConformance

@Suite("Line writer")
struct LineWriterTests {
    /// An output that blocks on its first call until released, recording everything it is given.
    final class BlockingOutput: Sendable {
        let written = Mutex<[String]>([])
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)

        func write(_ text: String) {
            let first = written.withLock { lines in
                lines.append(text)
                return lines.count == 1
            }
            if first {
                entered.signal()
                release.wait()
            }
        }
    }

    @Test("past the queue's bound lines are dropped and counted, from the first one, and said once output moves")
    func droppedLinesAreCounted() throws {
        for dropped in [1, 2, 5] {
            let output = BlockingOutput()
            let writer = LineWriter(maximumPending: 2) { output.write($0) }
            writer.write("first")
            // The writer thread is inside the output with "first": the next two queue, the rest are dropped.
            #expect(output.entered.wait(timeout: .now() + 10) == .success)
            for index in 0..<(2 + dropped) { writer.write("line \(index)") }
            output.release.signal()
            #expect(writer.finish(timeout: 10))
            let notice = "(\(dropped) log line\(dropped == 1 ? "" : "s") dropped: standard output was not being read)"
            #expect(output.written.withLock { $0 } == ["first", "line 0\nline 1", notice], "\(dropped)")
        }
    }

    @Test("nothing dropped, nothing said: every line written, in order")
    func nothingDropped() {
        let output = BlockingOutput()
        output.release.signal()
        let writer = LineWriter(maximumPending: 100) { output.write($0) }
        for index in 0..<50 { writer.write("line \(index)") }
        #expect(writer.finish(timeout: 10))
        let lines = output.written.withLock { $0 }.joined(separator: "\n").split(separator: "\n").map(String.init)
        #expect(lines == (0..<50).map { "line \($0)" })
    }
}
