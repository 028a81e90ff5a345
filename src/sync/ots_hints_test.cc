#include "sync/ots_hints.h"

#include <gtest/gtest.h>

namespace otsync::sync {
namespace {

const Status kRefused(StatusCode::kUnavailable, "network error: Connection (POST /ListTable)");

TEST(OtsHintsTest, ALoopbackEndpointSaysHowToStartOtsd) {
  Status explained = ExplainNetworkFailure(kRefused, "otsstream", "http://127.0.0.1:8800");
  EXPECT_EQ(explained.code(), StatusCode::kUnavailable);
  EXPECT_EQ(explained.message().rfind(
                "nothing answers at data source 'otsstream' at http://127.0.0.1:8800 (network "
                "error: Connection (POST /ListTable)). Is otsd running? Start it with: otsd "
                "--data-dir /tmp/otsd-data (or point",
                0),
            0u)
      << explained.message();
  Status other_port = ExplainNetworkFailure(kRefused, "src", "http://localhost:9001/");
  EXPECT_NE(other_port.message().find("otsd --data-dir /tmp/otsd-data --listen localhost:9001 "),
            std::string::npos)
      << other_port.message();
}

TEST(OtsHintsTest, ARemoteEndpointSaysCheckTheNetwork) {
  Status explained =
      ExplainNetworkFailure(kRefused, "prod", "https://inst.cn-hangzhou.ots.aliyuncs.com");
  EXPECT_EQ(explained.message().find("otsd"), std::string::npos) << explained.message();
  EXPECT_NE(explained.message().find("otsync datasource test prod"), std::string::npos);
}

TEST(OtsHintsTest, OtherFailuresPassUnchanged) {
  Status auth(StatusCode::kAuthFailed, "OTSAuthFailed: bad signature");
  EXPECT_EQ(ExplainNetworkFailure(auth, "otsstream", "http://127.0.0.1:8800"), auth);
  Status busy(StatusCode::kUnavailable, "OTSServerUnavailable: busy");
  EXPECT_EQ(ExplainNetworkFailure(busy, "otsstream", "http://127.0.0.1:8800"), busy);
}

TEST(OtsHintsTest, EnableStreamHintNamesANonDefaultDataSource) {
  EXPECT_EQ(EnableStreamHint("person", "otsstream"),
            "enable it with: otsync table enable-stream person");
  EXPECT_EQ(EnableStreamHint("person", ""), "enable it with: otsync table enable-stream person");
  EXPECT_EQ(EnableStreamHint("person", "prod"),
            "enable it with: otsync table enable-stream person --datasource prod");
}

TEST(OtsHintsTest, MissingTableHintSaysHowToListAndCreate) {
  EXPECT_EQ(MissingTableHint("person", "prod"),
            "no table 'person' (otsync table list --datasource prod shows the tables; otsync "
            "table create person --pk 'id:string' --stream 24 --datasource prod creates one with "
            "the Stream on)");
}

}  // namespace
}  // namespace otsync::sync
