<?php
// Starts PHP's built-in server with receiver.php as its router:
//
//   php Examples/php/serve.php --project-id YOUR_ID [--port 8080] [--host 127.0.0.1]
//       [--public-url https://you.example/ppg/webhook] [--scheme url-params|json-body] [--encoding hex|base64]
//
// Prints "listening on http://HOST:PORT" once the server answers (--port 0 picks a free port), then becomes the
// server (pcntl_exec), so that stopping this process stops the server.

declare(strict_types=1);

$options = getopt('', ['project-id:', 'port:', 'host:', 'public-url:', 'scheme:', 'encoding:']);
if (!isset($options['project-id'])) {
    fwrite(STDERR, "--project-id is required\n");
    exit(2);
}
$host = $options['host'] ?? '127.0.0.1';
$port = (int) ($options['port'] ?? 8080);
if ($port === 0) {
    $probe = stream_socket_server("tcp://$host:0");
    $port = (int) substr(strrchr(stream_socket_get_name($probe, false), ':'), 1);
    fclose($probe);
}
$environment = getenv() + [];
$environment['PPG_PROJECT_ID'] = $options['project-id'];
// Without --public-url, the URL verified is the address served, never one taken from the request.
$environment['PPG_PUBLIC_URL'] = $options['public-url'] ?? "http://$host:$port/ppg/webhook";
$environment['PPG_SCHEME'] = $options['scheme'] ?? 'url-params';
$environment['PPG_ENCODING'] = $options['encoding'] ?? 'hex';
// The server never waits for a child: the one that says where it listens is a grandchild, whose parent leaves at
// once (and is reaped here), so that init, not the server, reaps it and no defunct process is left behind.
$child = pcntl_fork();
if ($child === 0) {
    if (pcntl_fork() !== 0) {
        exit(0);
    }
    // The grandchild says where the server listens once it answers, then leaves.
    for ($attempt = 0; $attempt < 100; $attempt++) {
        $connection = @stream_socket_client("tcp://$host:$port", $code, $message, 0.1);
        if ($connection !== false) {
            fclose($connection);
            echo "listening on http://$host:$port\n";
            exit(0);
        }
        usleep(50000);
    }
    exit(1);
}
pcntl_waitpid($child, $status);
pcntl_exec(PHP_BINARY, ['-q', '-d', 'post_max_size=2M', '-S', "$host:$port", __DIR__ . '/receiver.php'], $environment);
