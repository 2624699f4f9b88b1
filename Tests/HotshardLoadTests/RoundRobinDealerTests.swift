import Testing

@testable import HotshardLoad

/// Dealing requests to connections in turn without a server.
struct RoundRobinDealerTests {
    /// Rooms 4, 0, 4 from turn 0: connections 0 and 2 are listed; 5 requests go 0, 2, 0, 2, 0
    /// (shares 3 and 2) and the turn moves to 1. From there a batch bigger than the room fills both.
    @Test func dealsOnePerConnectionInTurn() {
        let rooms = [4, 0, 4]
        var dealer = RoundRobinDealer()
        dealer.list(count: 3) { rooms[$0] }
        #expect(dealer.open == [0, 2])
        #expect(dealer.room == 8)
        #expect(dealer.deal(5) { rooms[$0] } == 5)
        #expect(dealer.shares == [3, 2])
        #expect(dealer.next == 1)
        dealer.list(count: 3) { rooms[$0] }
        #expect(dealer.open == [2, 0])
        #expect(dealer.deal(100) { rooms[$0] } == 8)
        #expect(dealer.shares == [4, 4])
        #expect(dealer.next == 1)
        dealer.list(only: 1, room: 2)
        #expect(dealer.open == [1])
        #expect(dealer.deal(1) { _ in 2 } == 1)
        #expect(dealer.next == 2)
    }

    /// One at a time (`took`): a connection that fills leaves the list; the turn follows.
    @Test func takingOneAtATime() {
        var rooms = [1, 2]
        var dealer = RoundRobinDealer()
        dealer.list(count: 2) { rooms[$0] }
        var order: [Int] = []
        var position = 0
        while !dealer.open.isEmpty {
            if position >= dealer.open.count { position = 0 }
            let index = dealer.open[position]
            order.append(index)
            rooms[index] -= 1
            position = dealer.took(at: position, full: rooms[index] == 0)
        }
        #expect(order == [0, 1, 1])
        #expect(dealer.next == 2)
        dealer.list(count: 2) { rooms[$0] }
        #expect(dealer.open.isEmpty)
        #expect(dealer.deal(3) { rooms[$0] } == 0)
    }
}
