import NIOCore
import NIOEmbedded
import NIOPosix
import Synchronization
import Testing

@testable import Worker

#if canImport(Glibc)
import Glibc
#endif

/// `DirectOutput` on real loopback connections accepted by NIO: the descriptor it finds is the
/// connection's socket, bytes it cannot send are left for the channel, and it never writes
/// around bytes the channel still holds.
@Suite("Direct output", .serialized)
struct DirectOutputTests {
    /// A NIO server on a loopback port whose accepted channels are handed to the test, and a
    /// plain client socket connected to it.
    final class Connection: @unchecked Sendable {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server: Channel
        let accepted: Channel
        let client: CInt

        init() throws {
            let box = Mutex<Channel?>(nil)
            self.server = try ServerBootstrap(group: self.group)
                .childChannelOption(.writeBufferWaterMark, value: .init(low: 1, high: 1 << 30))
                // A small send buffer (and the client's small receive buffer): the socket is
                // full after some tens of kB.
                .childChannelOption(.socketOption(.so_sndbuf), value: 16 * 1024)
                .childChannelInitializer { channel in
                    box.withLock { $0 = channel }
                    return channel.eventLoop.makeSucceededVoidFuture()
                }
                .bind(host: "127.0.0.1", port: 0).wait()
            let port = try #require(self.server.localAddress?.port)
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.client = client
            // A small receive buffer.
            var size: CInt = 16 * 1024
            setsockopt(client, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<CInt>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            try #require(connected == 0)
            var channel: Channel?
            for _ in 0..<500 where channel == nil {
                channel = box.withLock { $0 }
                if channel == nil { usleep(2000) }
            }
            self.accepted = try #require(channel)
            // Wait until the channel is active (registered and its socket adopted).
            try self.accepted.eventLoop.submit {}.wait()
        }

        /// Runs `body` on the accepted channel's event loop.
        func onLoop<T: Sendable>(_ body: @escaping @Sendable (Channel) throws -> T) throws -> T {
            let channel = self.accepted
            return try channel.eventLoop.submit { try body(channel) }.wait()
        }

        /// The client's local port.
        var clientPort: Int {
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(self.client, $0, &length) }
            }
            return Int(UInt16(bigEndian: address.sin_port))
        }

        /// Reads exactly `count` bytes from the client socket.
        func read(_ count: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while bytes.count < count {
                let wanted = min(chunk.count, count - bytes.count)
                let n = chunk.withUnsafeMutableBytes { recv(self.client, $0.baseAddress, wanted, 0) }
                if n <= 0 { break }
                bytes += chunk[..<n]
            }
            return bytes
        }

        deinit {
            Glibc.close(self.client)
            try? self.accepted.close().wait()
            try? self.server.close().wait()
            try? self.group.syncShutdownGracefully()
        }
    }

    /// `count` bytes numbered from `start` (the byte is the number modulo 251, a prime, so a
    /// lost, repeated or reordered stretch shows).
    static func pattern(from start: Int, count: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        for index in start..<(start + count) { buffer.writeInteger(UInt8(index % 251)) }
        return buffer
    }

    @Test func findsTheSocketOfAnAcceptedChannel() throws {
        let connection = try Connection()
        let fd = try #require(try connection.onLoop { DirectOutput.descriptor(of: $0) })
        // The descriptor's peer is the client.
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        #expect(result == 0)
        #expect(Int(UInt16(bigEndian: address.sin_port)) == connection.clientPort)
    }

    @Test func aChannelWithoutASocketKeepsTheChannelPath() throws {
        let channel = EmbeddedChannel()
        #expect(DirectOutput.descriptor(of: channel) == nil)
        var direct = DirectOutput()
        var output = Self.pattern(from: 0, count: 10)
        #expect(direct.write(&output, channel: channel) == .forChannel)  // the first flush
        #expect(direct.write(&output, channel: channel) == .forChannel)  // no descriptor
        #expect(output.readableBytes == 10)
        guard case .channelOnly = direct.state else {
            Issue.record("expected channelOnly, got \(direct.state)")
            return
        }
    }

    /// Direct writes until the socket is full, the rest through the channel, no direct write
    /// while the channel holds bytes, direct again once it wrote them; the client receives
    /// every byte once, in order.
    @Test func leavesWhatTheSocketDoesNotTakeToTheChannelAndKeepsTheOrder() throws {
        let connection = try Connection()
        let chunk = 4 * 1024
        struct Step: Sendable {
            var sent = 0
            var directWrites = 0
            var leftForChannel = 0
            var refusedWhileChannelHolds = false
            var firstForChannel = false
            var stoppedBecauseFull = false
        }
        let step = try connection.onLoop { channel -> Step in
            var direct = DirectOutput()
            var step = Step()
            // The first flush of a connection goes through the channel.
            var first = Self.pattern(from: 0, count: 100)
            step.firstForChannel = direct.write(&first, channel: channel) == .forChannel
            direct.handedToChannel()
            channel.writeAndFlush(first, promise: nil)
            step.sent = 100
            // Then straight to the socket until it is full.
            while step.directWrites < 1000 {
                var output = Self.pattern(from: step.sent, count: chunk)
                let outcome = direct.write(&output, channel: channel)
                step.sent += chunk - output.readableBytes
                if outcome == .sent {
                    step.directWrites += 1
                    continue
                }
                step.stoppedBecauseFull = outcome == .socketFull
                // Full: the rest goes to the channel, which now holds it.
                step.leftForChannel = output.readableBytes
                direct.handedToChannel()
                channel.writeAndFlush(output, promise: nil)
                step.sent += output.readableBytes
                break
            }
            // The channel holds bytes: no write around them.
            var next = Self.pattern(from: step.sent, count: 10)
            let refused = direct.write(&next, channel: channel) == .forChannel
            step.refusedWhileChannelHolds = refused && next.readableBytes == 10
            direct.handedToChannel()
            channel.writeAndFlush(next, promise: nil)
            step.sent += 10
            return step
        }
        #expect(step.firstForChannel, "a connection's first flush goes through the channel")
        #expect(step.directWrites >= 1, "the first direct write should have gone out whole")
        #expect(step.stoppedBecauseFull)
        #expect(step.leftForChannel > 0, "the socket never filled: \(step)")
        #expect(step.refusedWhileChannelHolds)
        let received = connection.read(step.sent)
        #expect(received.count == step.sent)
        #expect(received == Array(Self.pattern(from: 0, count: step.sent).readableBytesView))
    }

    @Test func writesDirectlyAgainOnceTheChannelIsEmpty() throws {
        final class State: @unchecked Sendable { var direct = DirectOutput() }
        let state = State()
        let connection = try Connection()
        let handedOver = try connection.onLoop { channel -> Bool in
            var first = Self.pattern(from: 0, count: 100)
            let outcome = state.direct.write(&first, channel: channel)
            state.direct.handedToChannel()
            channel.writeAndFlush(first, promise: nil)
            return outcome == .forChannel
        }
        #expect(handedOver, "a connection's first flush goes through the channel")
        // The channel wrote its 100 bytes (the client's buffer was empty): it holds nothing.
        #expect(connection.read(100) == Array(Self.pattern(from: 0, count: 100).readableBytesView))
        let wroteDirectly = try connection.onLoop { channel -> Bool in
            var second = Self.pattern(from: 100, count: 50)
            let outcome = state.direct.write(&second, channel: channel)
            guard case .socket = state.direct.state else { return false }
            return outcome == .sent && second.readableBytes == 0
        }
        #expect(wroteDirectly)
        #expect(connection.read(50) == Array(Self.pattern(from: 100, count: 50).readableBytesView))
    }

    @Test func aClosedChannelIsNeverWrittenAround() throws {
        let connection = try Connection()
        let refused = try connection.onLoop { channel -> Bool in
            var direct = DirectOutput()
            var first = Self.pattern(from: 0, count: 1)
            _ = direct.write(&first, channel: channel)
            var probe = Self.pattern(from: 0, count: 1)
            _ = direct.write(&probe, channel: channel)  // learns the descriptor
            channel.close(promise: nil)
            var after = Self.pattern(from: 0, count: 10)
            return direct.write(&after, channel: channel) == .forChannel && after.readableBytes == 10
        }
        #expect(refused)
    }
}
