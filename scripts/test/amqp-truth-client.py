#!/usr/bin/env python3
"""Real AMQP 0-9-1 publishers and consumers (pika) against a test broker, printing what they
sent and received as JSON: the ground truth Hotshard's AMQP tests compare a capture against.

  amqp-truth-client.py PORT traffic          several connections and channels, publisher
                                             confirms on, bodies 10 B to 100 kB; consumers
                                             (basic.consume with acks, one basic.get) drain
                                             every queue. Prints publishes per routing key,
                                             confirms, deliveries per queue.
  amqp-truth-client.py PORT consistent-hash N WEIGHT...
                                             N keys key-0..key-(N-1) published to an
                                             x-consistent-hash exchange with one queue bound
                                             per WEIGHT; prints each queue's message count
                                             (passive queue.declare) after the confirms.
  amqp-truth-client.py PORT modulus-hash N QUEUE...
                                             N keys key-0..key-(N-1) published with confirms to an
                                             x-modulus-hash exchange (the sharding plugin's) with
                                             the queues bound in the order given (binding key "1");
                                             prints each queue's message count
  amqp-truth-client.py PORT counts QUEUE...  each queue's message count (passive queue.declare)
  amqp-truth-client.py PORT declare EXCHANGE QUEUE=BINDING...
                                             declares a direct exchange and the queues, bound,
                                             purged (a replay's target must have them)
  amqp-truth-client.py PORT hot-key          one confirmed publisher: background traffic on four
                                             routing keys, then a burst of 400 on orders.hot, then
                                             background again; then consumes q.hot, q.a and q.b
                                             (q.idle keeps its backlog). Prints publishes per
                                             routing key, confirms, deliveries per queue and the
                                             bindings (the Tests/Fixtures/amqp capture's truth).
"""
import time
import json
import sys

import pika


def connect(port):
    return pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=port, heartbeat=0))


def traffic(port):
    sizes = [10, 100, 1000, 20000, 100000]
    setup = connect(port)
    channel = setup.channel()
    channel.exchange_declare("hs.direct", exchange_type="direct")
    for queue in ["q.a", "q.b", "q.c"]:
        channel.queue_declare(queue)
        channel.queue_purge(queue)
    channel.queue_bind("q.a", "hs.direct", routing_key="user.hot")
    channel.queue_bind("q.b", "hs.direct", routing_key="user.2")
    setup.close()

    # (exchange, routing key, count): user.hot takes most of the traffic; q.c is reached by
    # name through the default exchange.
    plan = [("hs.direct", "user.hot", 120), ("hs.direct", "user.2", 30), ("", "q.c", 25)]
    publishes, confirms = {}, 0
    connections = [connect(port) for _ in range(3)]
    channels = []
    for connection in connections:
        for _ in range(2):
            publisher = connection.channel()
            publisher.confirm_delivery()
            channels.append(publisher)
    sent = 0
    for exchange, routing_key, count in plan:
        for _ in range(count):
            publisher = channels[sent % len(channels)]
            body = bytes([0x61 + sent % 26]) * sizes[sent % len(sizes)]
            publisher.basic_publish(exchange, routing_key, body)  # raises unless confirmed
            confirms += 1
            publishes[routing_key] = publishes.get(routing_key, 0) + 1
            sent += 1
    for connection in connections:
        connection.close()

    expected = {"q.a": publishes["user.hot"], "q.b": publishes["user.2"], "q.c": publishes["q.c"]}
    deliveries = {}
    consumer = connect(port)
    for queue in ["q.a", "q.b"]:
        received = [0]
        channel = consumer.channel()
        channel.basic_qos(prefetch_count=10)

        def on_message(ch, method, properties, body, queue=queue, received=received):
            received[0] += 1
            # Every third message acknowledges the ones before it too (multiple).
            if received[0] % 3 == 0 or received[0] == expected[queue]:
                ch.basic_ack(method.delivery_tag, multiple=True)
            if received[0] == expected[queue]:
                ch.stop_consuming()

        channel.basic_consume(queue, on_message)
        channel.start_consuming()
        deliveries[queue] = received[0]
    getter = consumer.channel()
    got = 0
    while True:
        method, _, _ = getter.basic_get("q.c")
        if method is None:
            break
        getter.basic_ack(method.delivery_tag)
        got += 1
    deliveries["q.c"] = got
    consumer.close()
    print(json.dumps({"publishes": publishes, "confirms": confirms, "deliveries": deliveries}))


def consistent_hash(port, keys, weights):
    connection = connect(port)
    channel = connection.channel()
    channel.exchange_declare("hs.chash", exchange_type="x-consistent-hash")
    queues = []
    for index, weight in enumerate(weights):
        queue = f"chash.q{index}"
        channel.queue_declare(queue)
        channel.queue_purge(queue)
        channel.queue_bind(queue, "hs.chash", routing_key=str(weight))
        queues.append(queue)
    channel.confirm_delivery()
    for index in range(keys):
        channel.basic_publish("hs.chash", f"key-{index}", b"x")
    counts = {queue: channel.queue_declare(queue, passive=True).method.message_count for queue in queues}
    connection.close()
    print(json.dumps({"counts": counts, "weights": dict(zip(queues, weights))}))


def modulus_hash(port, keys, queues):
    connection = connect(port)
    channel = connection.channel()
    channel.exchange_declare("hs.shard", exchange_type="x-modulus-hash")
    for queue in queues:
        channel.queue_declare(queue)
        channel.queue_purge(queue)
        channel.queue_bind(queue, "hs.shard", routing_key="1")
    channel.confirm_delivery()
    for index in range(keys):
        channel.basic_publish("hs.shard", f"key-{index}", b"x")
    result = {queue: channel.queue_declare(queue, passive=True).method.message_count for queue in queues}
    connection.close()
    print(json.dumps({"counts": result}))


def counts(port, queues):
    connection = connect(port)
    channel = connection.channel()
    result = {queue: channel.queue_declare(queue, passive=True).method.message_count for queue in queues}
    connection.close()
    print(json.dumps({"counts": result}))


def declare(port, exchange, pairs):
    connection = connect(port)
    channel = connection.channel()
    channel.exchange_declare(exchange, exchange_type="direct")
    for pair in pairs:
        queue, binding = pair.split("=", 1)
        channel.queue_declare(queue)
        channel.queue_purge(queue)
        channel.queue_bind(queue, exchange, routing_key=binding)
    connection.close()
    print(json.dumps({"declared": len(pairs)}))


HOT_BINDINGS = {"q.hot": "orders.hot", "q.a": "orders.a", "q.b": "orders.b", "q.idle": "orders.idle"}


def hot_key(port):
    setup = connect(port)
    channel = setup.channel()
    channel.exchange_declare("hs.orders", exchange_type="direct")
    for queue, binding in HOT_BINDINGS.items():
        channel.queue_declare(queue)
        channel.queue_purge(queue)
        channel.queue_bind(queue, "hs.orders", routing_key=binding)
    setup.close()

    sizes = [16, 64, 256]
    publishes, confirms, sent = {}, 0, 0
    connection = connect(port)
    publisher = connection.channel()
    publisher.confirm_delivery()

    def publish(routing_key):
        nonlocal confirms, sent
        publisher.basic_publish("hs.orders", routing_key, b"o" * sizes[sent % len(sizes)])
        confirms += 1
        sent += 1
        publishes[routing_key] = publishes.get(routing_key, 0) + 1

    def background():
        for _ in range(20):
            for routing_key in ["orders.a", "orders.b", "orders.idle", "orders.hot"]:
                publish(routing_key)
            time.sleep(0.05)

    background()
    for _ in range(400):
        publish("orders.hot")
    background()
    connection.close()

    deliveries = {}
    consumer = connect(port)
    for queue in ["q.hot", "q.a", "q.b"]:
        expected = publishes[HOT_BINDINGS[queue]]
        received = [0]
        channel = consumer.channel()
        channel.basic_qos(prefetch_count=50)

        def on_message(ch, method, properties, body, received=received, expected=expected):
            received[0] += 1
            if received[0] % 10 == 0 or received[0] == expected:
                ch.basic_ack(method.delivery_tag, multiple=True)
            if received[0] == expected:
                ch.stop_consuming()

        channel.basic_consume(queue, on_message)
        channel.start_consuming()
        deliveries[queue] = received[0]
    consumer.close()
    print(json.dumps({"publishes": publishes, "confirms": confirms, "deliveries": deliveries,
                      "bindings": HOT_BINDINGS, "exchange": "hs.orders"}))


if __name__ == "__main__":
    port = int(sys.argv[1])
    if sys.argv[2] == "traffic":
        traffic(port)
    elif sys.argv[2] == "consistent-hash":
        consistent_hash(port, int(sys.argv[3]), [int(weight) for weight in sys.argv[4:]])
    elif sys.argv[2] == "modulus-hash":
        modulus_hash(port, int(sys.argv[3]), sys.argv[4:])
    elif sys.argv[2] == "counts":
        counts(port, sys.argv[3:])
    elif sys.argv[2] == "declare":
        declare(port, sys.argv[3], sys.argv[4:])
    elif sys.argv[2] == "hot-key":
        hot_key(port)
    else:
        sys.exit(f"unknown scenario {sys.argv[2]}")
