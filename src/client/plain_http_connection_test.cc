#include "client/plain_http_connection.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <thread>

namespace otsync::client {
namespace {

using std::chrono::milliseconds;

// A TCP server on 127.0.0.1 that hands each accepted connection to a script: the test decides
// byte by byte what the client receives, which a real HTTP server would not let it do.
class ScriptedServer {
 public:
  // Reads one request (head and Content-Length body) from `fd`; empty at the end of the connection.
  static std::string ReadRequest(int fd) {
    std::string request;
    char byte;
    while (request.find("\r\n\r\n") == std::string::npos) {
      if (::recv(fd, &byte, 1, 0) != 1) return {};
      request += byte;
    }
    const size_t at = request.find("Content-Length: ");
    size_t length = at == std::string::npos ? 0 : std::stoul(request.substr(at + 16));
    while (length-- > 0) {
      if (::recv(fd, &byte, 1, 0) != 1) return {};
      request += byte;
    }
    return request;
  }
  static void Send(int fd, std::string_view bytes) {
    ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  static void SendByteByByte(int fd, std::string_view bytes) {
    for (char c : bytes) {
      Send(fd, std::string_view(&c, 1));
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

  explicit ScriptedServer(std::function<void(int connection)> script) : script_(std::move(script)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), length), 0);
    EXPECT_EQ(::listen(listener_, 8), 0);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      while (true) {
        const int connection = ::accept(listener_, nullptr, nullptr);
        if (connection < 0 || stopping_) {
          if (connection >= 0) ::close(connection);
          return;
        }
        ++connections_;
        script_(connection);
        ::close(connection);
      }
    });
  }
  ~ScriptedServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }

  PlainHttpTarget target() const { return PlainHttpTarget{"127.0.0.1", port_}; }
  int connections() const { return connections_; }

 private:
  std::function<void(int)> script_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

std::unique_ptr<PlainHttpConnection> Connect(const ScriptedServer& server,
                                             milliseconds io_timeout = milliseconds(5000)) {
  Result<std::unique_ptr<PlainHttpConnection>> connection =
      PlainHttpConnection::Open(server.target(), milliseconds(2000), io_timeout);
  EXPECT_TRUE(connection.ok()) << connection.status().ToString();
  return connection.ok() ? std::move(*connection) : nullptr;
}

constexpr std::string_view kHead =
    "POST /GetRow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\n";

TEST(PlainHttpConnectionTest, AReplyDribbledByteByByteIsReadWholeAndTheConnectionReused) {
  std::vector<std::string> requests;
  ScriptedServer server([&](int fd) {
    for (std::string request; !(request = ScriptedServer::ReadRequest(fd)).empty();) {
      requests.push_back(request);
      ScriptedServer::SendByteByByte(
          fd, "HTTP/1.1 200 OK\r\nx-ots-contentmd5: md5==\r\nx-ots-requestid: id-" +
                  std::to_string(requests.size()) + "\r\nContent-Length: 11\r\n\r\nhello world");
    }
  });
  std::unique_ptr<PlainHttpConnection> connection = Connect(server);
  ASSERT_NE(connection, nullptr);
  for (int round = 1; round <= 2; ++round) {
    Result<HttpReply> reply = connection->Post(kHead, "abcde");
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(reply->body, "hello world");
    EXPECT_EQ(reply->content_md5, "md5==");
    EXPECT_EQ(reply->request_id, "id-" + std::to_string(round));
    EXPECT_TRUE(connection->ReusableNow());
  }
  connection.reset();
  EXPECT_EQ(server.connections(), 1);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0], std::string(kHead) + "abcde");
}

TEST(PlainHttpConnectionTest, AChunkedReplyIsAssembledPastExtensionsAndTrailers) {
  ScriptedServer server([](int fd) {
    ScriptedServer::ReadRequest(fd);
    ScriptedServer::SendByteByByte(fd,
                                   "HTTP/1.1 100 Continue\r\n\r\n"
                                   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   "5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n"
                                   "0\r\nTrailer: x\r\n\r\n");
  });
  std::unique_ptr<PlainHttpConnection> connection = Connect(server);
  Result<HttpReply> reply = connection->Post(kHead, "abcde");
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "hello 0123456789");
  EXPECT_TRUE(connection->reusable());
}

TEST(PlainHttpConnectionTest, ABodyFramedByTheEndOfTheConnectionIsReadToItsEnd) {
  const std::string big(300000, 'x');  // Larger than the read buffer.
  ScriptedServer server([&](int fd) {
    ScriptedServer::ReadRequest(fd);
    ScriptedServer::Send(fd, "HTTP/1.0 200 OK\r\n\r\n" + big);
  });
  std::unique_ptr<PlainHttpConnection> connection = Connect(server);
  Result<HttpReply> reply = connection->Post(kHead, "abcde");
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->body, big);
  EXPECT_FALSE(connection->reusable());
}

TEST(PlainHttpConnectionTest, ALargeBodyWithALengthArrivesIntact) {
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + i / 1000);
  ScriptedServer server([&](int fd) {
    ScriptedServer::ReadRequest(fd);
    ScriptedServer::Send(
        fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(big.size()) + "\r\n\r\n" + big);
  });
  std::unique_ptr<PlainHttpConnection> connection = Connect(server);
  Result<HttpReply> reply = connection->Post(kHead, "abcde");
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_TRUE(reply->body == big);
}

TEST(PlainHttpConnectionTest, AServerThatClosesTheIdleConnectionMakesItUnusable) {
  ScriptedServer server([](int fd) {
    ScriptedServer::ReadRequest(fd);
    ScriptedServer::Send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  });  // The script returns: the connection is closed.
  std::unique_ptr<PlainHttpConnection> connection = Connect(server);
  ASSERT_TRUE(connection->Post(kHead, "abcde").ok());
  for (int i = 0; i < 200 && connection->ReusableNow(); ++i) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_FALSE(connection->ReusableNow());
}

TEST(PlainHttpConnectionTest, BrokenRepliesAreNetworkErrorsAndEndTheConnection) {
  struct Case {
    std::string reply;
    std::string expected;
  };
  const Case kCases[] = {
      {"", "Read: the connection closed before a reply"},
      {"HTTP/1.1 200 O", "Read: the connection closed in the reply's head"},
      {"SSH-2.0-OpenSSH\r\n\r\n", "the reply's status line is not HTTP/1.x"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "closed in the middle of the reply"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntoolong\r\n",
       "a chunk of the reply is longer than its size says"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "not hexadecimal"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n", "larger than 256 MiB"},
      {"HTTP/1.1 200 OK\r\nX: " + std::string(70000, 'a') + "\r\n\r\n", "longer than 64 KiB"},
  };
  for (const Case& test : kCases) {
    ScriptedServer server([&](int fd) {
      ScriptedServer::ReadRequest(fd);
      if (!test.reply.empty()) ScriptedServer::Send(fd, test.reply);
    });
    std::unique_ptr<PlainHttpConnection> connection = Connect(server);
    Result<HttpReply> reply = connection->Post(kHead, "abcde");
    ASSERT_FALSE(reply.ok()) << test.expected;
    EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(reply.status().message().find(test.expected), std::string::npos)
        << reply.status().message();
    EXPECT_FALSE(connection->reusable());
  }
}

TEST(PlainHttpConnectionTest, UnaskedBytesAfterAReplyEndTheConnection) {
  ScriptedServer server([](int fd) {
    ScriptedServer::ReadRequest(fd);
    ScriptedServer::Send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n");
  });
  std::unique_ptr<PlainHttpConnection> connection = Connect(server);
  Result<HttpReply> reply = connection->Post(kHead, "abcde");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->body, "ok");
  EXPECT_FALSE(connection->reusable());
}

TEST(PlainHttpConnectionTest, ASilentServerTimesOutTheRead) {
  std::atomic<bool> release{false};
  ScriptedServer server([&](int fd) {
    ScriptedServer::ReadRequest(fd);
    while (!release) std::this_thread::sleep_for(milliseconds(5));
  });
  std::unique_ptr<PlainHttpConnection> connection = Connect(server, milliseconds(150));
  const auto start = std::chrono::steady_clock::now();
  Result<HttpReply> reply = connection->Post(kHead, "abcde");
  const auto waited = std::chrono::steady_clock::now() - start;
  release = true;
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().message(), "ReadTimeout");
  EXPECT_GE(waited, milliseconds(150));
  EXPECT_LT(waited, milliseconds(3000));
}

TEST(PlainHttpConnectionTest, NothingListeningIsAConnectionError) {
  uint16_t port;
  {
    ScriptedServer server([](int) {});
    port = server.target().port;
  }
  Result<std::unique_ptr<PlainHttpConnection>> connection =
      PlainHttpConnection::Open({"127.0.0.1", port}, milliseconds(500), milliseconds(500));
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().message(), "Connection");
}

TEST(ParsePlainHttpEndpointTest, SplitsHostAndPort) {
  Result<PlainHttpTarget> target = ParsePlainHttpEndpoint("http://127.0.0.1:8800");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->host, "127.0.0.1");
  EXPECT_EQ(target->port, 8800);
  target = ParsePlainHttpEndpoint("http://ots.example.com/path");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->host, "ots.example.com");
  EXPECT_EQ(target->port, 80);
  target = ParsePlainHttpEndpoint("http://[::1]:9000");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->host, "::1");
  EXPECT_EQ(target->port, 9000);
  for (std::string_view bad : {"https://a:1", "http://", "http://:80", "http://a:0",
                               "http://a:65536", "http://a:8x", "http://[::1", "http://[::1]x"}) {
    EXPECT_EQ(ParsePlainHttpEndpoint(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace otsync::client
