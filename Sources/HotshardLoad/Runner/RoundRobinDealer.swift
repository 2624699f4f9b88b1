/// Deals requests out to connections one per connection in turn (round robin, skipping those
/// with no room in their pipeline), as the worker sends them: the connections with room are
/// listed once per batch, not searched for once per request, and each connection's share can be
/// written in one piece. Connections are named by index; their room is asked of the caller.
///
/// A value type with no I/O; its lists are kept (capacity and all) from batch to batch.
struct RoundRobinDealer {
    /// The connection whose turn is next.
    private(set) var next = 0
    /// Connections with room, in turn from `next` (the batch's list).
    private(set) var open: [Int] = []
    /// How many requests each of `open` was dealt (by `deal`).
    private(set) var shares: [Int] = []
    /// Sum of the listed connections' room.
    private(set) var room = 0

    /// Lists the connections among `0..<count` with room (`room(index) > 0`), in turn from `next`.
    mutating func list(count: Int, room: (Int) -> Int) {
        clear()
        for step in 0..<count {
            let index = (next &+ step) % count
            let free = room(index)
            if free > 0 {
                open.append(index)
                shares.append(0)
                self.room += free
            }
        }
    }

    /// Lists only `index`, with `room` free (the connection just answered, when all the room is there).
    mutating func list(only index: Int, room: Int) {
        clear()
        open.append(index)
        shares.append(0)
        self.room = room
    }

    /// Deals up to `allowed` requests to the listed connections, one per connection in turn,
    /// none beyond a connection's room (`room(index)`). Returns how many were dealt (`shares`
    /// says to whom) and moves the turn past the last connection dealt to.
    mutating func deal(_ allowed: Int, room: (Int) -> Int) -> Int {
        guard !open.isEmpty else { return 0 }
        if allowed >= self.room {
            for (position, index) in open.enumerated() { shares[position] = room(index) }
            next = (open.last ?? 0) &+ 1
            return self.room
        }
        var dealt = 0
        var position = 0
        while dealt < allowed {
            if position >= open.count { position = 0 }
            let index = open[position]
            if room(index) - shares[position] > 0 {
                shares[position] += 1
                dealt += 1
                next = index &+ 1
            }
            position += 1
        }
        return dealt
    }

    /// One request went to `open[position]` (dealt one at a time by the caller): the turn moves
    /// past it; `full`: it has no room left and leaves the list. Returns the next position.
    mutating func took(at position: Int, full: Bool) -> Int {
        next = open[position] &+ 1
        if full {
            open.remove(at: position)
            shares.remove(at: position)
            return position
        }
        return position + 1
    }

    private mutating func clear() {
        open.removeAll(keepingCapacity: true)
        shares.removeAll(keepingCapacity: true)
        room = 0
    }
}
