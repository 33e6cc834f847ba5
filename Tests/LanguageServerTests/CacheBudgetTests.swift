import LanguageServer
import Testing

@Suite struct CacheBudgetTests {
    @Test func aQuarterOfAvailableMemoryWithinBounds() {
        #expect(ServerConfiguration.defaultCacheMB(availableBytes: 1 << 30) == 256)  // 1 GiB free → 256 MiB
        #expect(ServerConfiguration.defaultCacheMB(availableBytes: 23 << 30) == 512)  // capped at 512 MiB
        #expect(ServerConfiguration.defaultCacheMB(availableBytes: 100 << 20) == 64)  // floor
        #expect(ServerConfiguration.defaultCacheMB(availableBytes: nil) == 512)  // unknown: the old default
        #expect(ServerConfiguration.defaultCacheMB(availableBytes: 0) == 512)
    }

    @Test func memAvailableIsReadFromMeminfo() {
        let meminfo = """
            MemTotal:       24683520 kB
            MemFree:        17855436 kB
            MemAvailable:   23741696 kB
            Buffers:          123456 kB
            """
        #expect(ServerConfiguration.memAvailableBytes(meminfo: meminfo) == 23_741_696 * 1024)
        #expect(ServerConfiguration.memAvailableBytes(meminfo: "MemTotal: 1 kB\n") == nil)
        #expect(ServerConfiguration.memAvailableBytes(meminfo: "MemAvailable: lots kB\n") == nil)
    }

    @Test func aDraftModelLowersTheCap() {
        #expect(ServerConfiguration.defaultCacheMB(availableBytes: 23 << 30, withDraftModel: true) == 320)
        #expect(ServerConfiguration.defaultCacheMB(availableBytes: 23 << 30, withDraftModel: false) == 512)
        #expect(ServerConfiguration.defaultCacheMB(availableBytes: 1 << 30, withDraftModel: true) == 256)
        #expect(ServerConfiguration.defaultCacheMB(availableBytes: nil, withDraftModel: true) == 320)
    }
}
