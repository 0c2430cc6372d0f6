import PPGConformance
import Synchronization
import Testing

@Suite("run progress")
struct RunProgressTests {
    @Test("nothing shows until the run is older than the delay; then done, total and whole seconds")
    func lineAfterTheDelay() {
        var line = ProgressLine()
        for elapsed in [0, 0.25, 1.99, ProgressLine.delay] {
            #expect(line.tick(done: 3, total: 10, elapsed: elapsed) == nil, "at \(elapsed) s")
        }
        #expect(!line.shown)
        #expect(line.tick(done: 3, total: 10, elapsed: ProgressLine.delay + 0.25) == "  3 of 10 vectors, 2 s")
        #expect(line.tick(done: 410, total: 410, elapsed: 61.9) == "  410 of 410 vectors, 61 s")
        #expect(line.shown)
    }

    @Test("the end clears a line that was shown, and writes nothing when none was")
    func endClearsOnlyAShownLine() {
        var quiet = ProgressLine()
        _ = quiet.tick(done: 1, total: 2, elapsed: 1)
        #expect(quiet.end() == nil)
        var shown = ProgressLine()
        _ = shown.tick(done: 1, total: 2, elapsed: 3)
        #expect(shown.end() == "")
        #expect(shown.end() == nil, "cleared once")
    }

    @Test("each vector done counts once, from any thread, from zero")
    func countsFromZero() async {
        let progress = RunProgress(enabled: false) { _ in }
        #expect(progress.vectorsDone == 0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { for _ in 0..<25 { progress.vectorDone() } } }
        }
        #expect(progress.vectorsDone == 200)
    }

    @Test("disabled, it starts no line and finishing returns at once")
    func disabledShowsNothing() {
        let lines = Mutex<[String]>([])
        let progress = RunProgress(enabled: false) { line in lines.withLock { $0.append(line) } }
        progress.start(total: 5)
        progress.vectorDone()
        progress.finish()
        #expect(lines.withLock { $0 }.isEmpty)
    }
}
