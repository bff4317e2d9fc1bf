import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A keep-alive connection's responses written with one `send(2)` on its socket, not through
/// the channel: SwiftNIO's write path (pipeline hop, pending-writes queue, flush bookkeeping,
/// a dozen `isOpen` checks) was ~4,000 of a `/health/live` request's ~22,000 instructions
/// (callgrind) for what is one system call when the socket takes the bytes at once, as it
/// nearly always does.
///
/// The channel stays the owner of the socket and the fallback for everything else:
/// - whatever `send` does not take (a full socket buffer: a client that does not read) goes
///   through the channel, and the connection counts as not writable until the channel wrote
///   it (`HTTPServerHandler.flushOutput`): no further request is handled meanwhile, as when
///   the channel's own buffer passes its high-water mark. Every write after it waits in the
///   channel too until the channel is empty, so the order of the stream holds;
/// - an error other than `EAGAIN` hands the bytes to the channel too, which meets the same
///   error and closes the connection its usual way;
/// - large bodies, `100 Continue` ahead of a handed-over batch, and the last response before
///   a close keep the channel's path (`HTTPServerHandler` decides; this writes only when told).
///
/// The descriptor: NIO does not publish a channel's descriptor, but its `description` names it
/// (`BaseSocket { fd=N }`). It is read once, at a connection's second flush (a connection used
/// for one request never pays for it), and trusted only when `getsockname`/`getpeername` on it
/// give the channel's own local and remote ports; otherwise the connection keeps the
/// channel's path. A closed channel's descriptor number can be reused by the next accept, so
/// every write first checks `isActive`: NIO clears it in the same step that closes the socket,
/// with no user code in between (`BaseSocketChannel.close0`).
struct DirectOutput {
    enum State {
        /// No flush yet.
        case fresh
        /// One flush went through the channel; the next one looks the descriptor up.
        case firstFlushDone
        /// Writes go to this descriptor while the channel holds nothing.
        case socket(CInt)
        /// Always through the channel (descriptor unknown, or a write failed).
        case channelOnly
    }

    private(set) var state = State.fresh
    /// Bytes were handed to the channel since it was last seen empty: until it is empty again,
    /// writing around it would reorder the stream.
    private var channelMayHoldBytes = false

    /// What `write` did.
    enum Outcome {
        /// Every readable byte went out; `output` is empty.
        case sent
        /// Nothing was written (no descriptor yet or any more, the channel holds bytes or is
        /// closed): `output` is for the channel.
        case forChannel
        /// The socket took part or none of it and has no room left: the rest of `output` is
        /// for the channel, and the connection is not writable until the channel wrote it.
        case socketFull
    }

    /// Writes the readable bytes of `output` to the socket when that is safe.
    mutating func write(_ output: inout ByteBuffer, channel: any Channel) -> Outcome {
        let fd: CInt
        switch self.state {
        case .socket(let known):
            fd = known
        case .fresh:
            self.state = .firstFlushDone
            return .forChannel
        case .firstFlushDone:
            guard let found = Self.descriptor(of: channel) else {
                self.state = .channelOnly
                return .forChannel
            }
            self.state = .socket(found)
            fd = found
        case .channelOnly:
            return .forChannel
        }
        guard channel.isActive else { return .forChannel }
        if self.channelMayHoldBytes {
            guard let buffered = try? channel.syncOptions?.getOption(.bufferedWritableBytes), buffered == 0 else {
                return .forChannel
            }
            self.channelMayHoldBytes = false
        }
        while true {
            let sent = output.withUnsafeReadableBytes { bytes in
                send(fd, bytes.baseAddress, bytes.count, CInt(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if sent >= 0 {
                output.moveReaderIndex(forwardBy: sent)
                return output.readableBytes == 0 ? .sent : .socketFull
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                return .socketFull
            default:
                // The channel meets the same error on its write and closes its usual way.
                self.state = .channelOnly
                return .forChannel
            }
        }
    }

    /// Bytes went to the channel: later writes wait until it has written them.
    mutating func handedToChannel() {
        self.channelMayHoldBytes = true
    }

    /// The descriptor NIO's `description` names for `channel`, if its socket's local and
    /// remote ports are the channel's.
    static func descriptor(of channel: any Channel) -> CInt? {
        let text = String(describing: channel)
        guard let marker = text.utf8.firstRange(of: "fd=".utf8) else { return nil }
        var value: CInt = 0
        var digits = 0
        for byte in text.utf8[marker.upperBound...] {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), digits < 9 else { break }
            value = value * 10 + CInt(byte - UInt8(ascii: "0"))
            digits += 1
        }
        guard digits > 0,
            let local = channel.localAddress?.port, let remote = channel.remoteAddress?.port,
            Self.port(of: value, peer: false) == local, Self.port(of: value, peer: true) == remote
        else { return nil }
        return value
    }

    /// The local (or peer) port of socket `fd`, if it is an IP socket.
    private static func port(of fd: CInt, peer: Bool) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                peer ? getpeername(fd, address, &length) : getsockname(fd, address, &length)
            }
        }
        guard result == 0 else { return nil }
        switch CInt(storage.ss_family) {
        case AF_INET, AF_INET6:
            // `sin_port` and `sin6_port` both follow the 2-byte family.
            return withUnsafeBytes(of: storage) { Int(UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self))) }
        default:
            return nil
        }
    }
}
