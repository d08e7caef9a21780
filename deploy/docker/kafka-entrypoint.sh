#!/bin/sh
# Apache Kafka for docker-compose.yml: one KRaft node (broker and controller); the storage is
# formatted once, on an empty volume, with KAFKA_CLUSTER_ID.
set -eu
conf=/etc/kafka/server.properties
classpath='/opt/kafka/libs/*'
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
    java -cp "$classpath" kafka.tools.StorageTool format -c "$conf" -t "${KAFKA_CLUSTER_ID:?}"
fi
exec java -Xms256m "-Xmx${KAFKA_HEAP:-768m}" -cp "$classpath" kafka.Kafka "$conf"
