"""Which part of a procedure a message asks about: fee, time, documents, where, online …

"Khai sinh mất bao nhiêu tiền" asks the fee; "làm căn cước bao lâu có" the time. The chat answers
that aspect first, then shows the card. Pure function over the folded message (marks optional,
chat shorthand expanded, English too); ``None`` when no aspect is asked ("làm khai sinh").
"""

from __future__ import annotations

import enum
import re

from lookup.fold import fold
from lookup.teencode import normalise


class Aspect(enum.Enum):
    FEE = "fee"
    TIME = "time"
    DOCUMENTS = "documents"
    WHERE = "where"
    ONLINE = "online"
    RESULT = "result"
    ELIGIBILITY = "eligibility"
    STEPS = "steps"


# Checked in this order: the first match wins. Steps named outright come first, and a few
# narrow frames of eligibility and where come before the fee ("lệ phí trước bạ nộp ở đâu").
# Result before online ("nhận kết quả online"),
# fee and time before online ("nộp online mất bao lâu" asks the time; the channel is read
# separately), online before where ("nộp online ở đâu" asks about the online channel), fee
# before time ("mất bao nhiêu tiền" vs "mất bao lâu"), steps before eligibility ("quy trình làm
# hộ chiếu": "làm hộ" there is not "on someone's behalf"). Each rule is a question frame, not a
# topic word: "đủ điều kiện" is also part of procedure names, "mất" of stories.
_RULES: tuple[tuple[Aspect, re.Pattern[str]], ...] = (
    (
        # Steps named outright ("gồm những bước nào", "các bước thế nào") are what is asked,
        # whatever else the message wonders about.
        Aspect.STEPS,
        re.compile(r"\b(?:cac buoc|nhung buoc (?:nao|gi)|buoc nao|gom (?:nhung|cac) buoc)\b"),
    ),
    (
        Aspect.RESULT,
        re.compile(
            r"\b(?:nhan ket qua|lay ket qua|tra ket qua|ban dien tu|ket qua nhan|duoc cap gi"
            r"|ket qua (?:la gi|gom|nhan|tra)|nhan duoc (?:gi|giay gi|nhung gi)|duoc nhan gi"
            r"|may ban(?! (?:khach|be|tre|nho|sinh vien|hoc sinh|tay|nguoi|oi|minh|ay|do|cung))"
            # A judgment "có hiệu lực 3 tháng" is the story; how long an extension adds, a result.
            r"|bao nhieu ban|co gia tri|gia tri (?:bao lau|trong|su dung)"
            r"|hieu luc (?:bao lau|may nam|trong bao lau|den khi nao|den bao gio|bao nhieu)"
            r"|(?:con|co) hieu luc (?:khong|ko|k)\b|thoi han hieu luc|how many more days"
            r"|(?:duoc|gia han) them (?:duoc )?(?:bao lau|bao nhieu ngay|may thang)"
            r"|co thoi han|het han khi nao|co giong"
            # What a benefit pays is its result, not a fee: "được hưởng những khoản gì",
            # "nhận được bao nhiêu tiền", "hỗ trợ bao nhiêu".
            r"|(?<!toi thieu )(?:duoc|nhan duoc|huong|lanh|linh|hoan lai|ho tro|boi thuong|chi tra)"
            r"(?: \w+){0,3} bao nhieu"
            r"(?! (?:ngay|lau|thoi gian|hom|tuan|thang|nam|buoc|giay|ho so|ban|lan|nguoi))"
            r"|(?<!co )(?:huong|nhan duoc|duoc nhan|duoc huong|duoc lanh|duoc linh|duoc ho tro)"
            r" (?:nhung |cac )?(?:khoan|che do"
            r"|quyen loi|tro cap)(?: (?!the\b)\w+)? (?:gi|nao)"
            r"|duoc (?:\w+ ){0,3}(?:ho tro|tro cap|boi thuong|chi tra) (?:nhung|cac)"
            r" (?:khoan )?(?:gi|nao)"
            r"|(?<!trong )thoi han (?:bao lau|su dung|cua|may nam|bao nhieu nam)"
            r"|co luon (?:ma so|mst|so)|ban giay|the dien tu|cam ve|gui ve (?:nha|tan)"
            r"|tu (?:len|ra|di) (?:lay|nhan)|tra (?:ve|qua) (?:tai khoan|tk|ngan hang|cong ty|cty)"
            r"|(?:nhan|linh) tien mat|tien mat hay|hay tien mat|ghi ten (?:ai|ca|chung|rieng)"
            r"|(?:cap|duoc) (?:1|mot) so (?:rieng|chung)|duoc cap (?:giay|nhung) (?:gi|nao)"
            r"|cap (?:cho )?(?:\w+ )?giay (?:gi|nao)"
            r"|(?:nhan|nhan lai|tra|tra ve) tien (?:qua|ve) dau"
            r"|tien (?:\w+ ){0,2}(?:tra|chuyen) ve dau"
            r"|xin them ban|(?:bien|so|the|giay) (?:moi|cu) hay|receive the result"
            r"|(?:gui|tra|ship|chuyen|giao)(?: \w+){0,4} ve (?:tan )?(?:nha|dia chi|noi)"
            r"|hay (?:la )?(?:phai )?(?:tu |chinh chu |chinh ho |truc tiep )?(?:len|den|ra|di)"
            r" (?:\w+ )?(?:lay|nhan)|(?:sent|mailed) (?:to me |to my \w+ |home )?by (?:mail|post)"
            r"|by (?:mail|post) or|new card or"
            r"|(?:mailed|posted|delivered|sent) (?:to )?(?:me|my (?:home|house|address)|home)"
            r"|duoc nhan (?:nhung |cac )?(?:giay|gi)|ban cung|the cung|ban giay|ban pdf|file pdf"
            r"|nhan duoc (?:nhung |cac )?giay to (?:gi|nao)"
            r"|(?:dang|loai) (?:the|giay|ban)(?: \w+){0,2} hay|dung (?:duoc )?(?:trong )?bao lau"
            r"|get the result|what will i (?:receive|get)|(?<!\ba )(?<!\banh )valid|validity"
            r"|what do i get"
            r"|paper (?:certificate|copy|or)|electronic (?:one|copy|version|certificate)"
            r"|stamp or paper|how many copies)\b"
        ),
    ),
    (
        # Who is exempted or helped (for free) asks about the conditions, before any fee frame.
        Aspect.ELIGIBILITY,
        re.compile(
            r"\b(?:ai (?:duoc|dc) (?:\w+ ){0,4}(?:mien|ho tro|tro giup|huong)"
            r"|(?:giup|ho tro|luat su|tro giup)(?: \w+){0,3} mien phi"
            r"|(?:dien tich|von|tuoi) (?:\w+ )?toi thieu"
            r"|who (?:is|are|can get) (?:\w+ ){0,3}(?:free|exempt))\b"
        ),
    ),
    (
        # Where a fee is paid asks where, even when the procedure is named after the fee
        # ("lệ phí trước bạ nộp ở đâu").
        Aspect.WHERE,
        re.compile(
            r"\b(?:(?:nop|dong|tra) (?:\w+ ){0,2}(?:o dau|tai dau|cho nao)"
            # "nộp HS ở VP đăng ký đất đai hay UBND xã": which office takes the file.
            r"|nop (?:hs|ho so) (?:o|tai) (?:\w+ ){1,6}hay)\b"
        ),
    ),
    (
        Aspect.FEE,
        re.compile(
            r"\b(?:le phi|(?:mat|ton|dong|nop|tra|thu|muc|chi|het|co|tinh) phi"
            r"(?! (?:duong|bao tri))|^phi\b|phi (?:bao nhieu|la bao|the nao|gi|ra sao|co dat"
            r"|dang ky|lam|cap|cong chung|chung thuc)|bao nhieu tien|het bao nhieu"
            r"|mat bao nhieu(?! (?:ngay|lau|thoi gian|hom|tuan|thang))|ton bao nhieu"
            r"|(?:dong|tra|nop) bao nhieu|gia bao nhieu|chi phi|mien phi|mat dong (?:tien )?nao"
            r"|ton dong nao|het dong nao|co (?:mat|ton) (?:dong )?tien"
            r"|(?:het|ton|mat|tra|nop|dong) (?:tam |khoang |chung |co )?(?:bao )?nhieu"
            r"(?! (?:ngay|lau|thoi gian|hom|tuan|thang|buoc|giay|ho so|ban|lan|nam|nguoi))"
            r"|khoan (?:tien|phi|le phi|thue)|(?:nhung|cac) khoan (?:nao|gi)"
            r"|(?:mat|ton) tien (?:khong|ko)"
            r"|phai (?:dong|tra|nop) tien|co phai (?:dong|nop|tra|chiu) (?:thue|phi|le phi)"
            r"|tien (?:le phi|phi|bao nhieu)|bao nhieu phan tram"
            r"|(?:nhung|cac) (?:loai )?(?:thue|phi|le phi)(?: \w+){0,2} (?:nao|gi)"
            r"|(?:dong|nop|tra) (?:toi thieu|it nhat|toi da) (?:la )?bao nhieu"
            r"|tien (?:\w+ ){0,4}tinh (?:the nao|nhu the nao|ra sao|sao)"
            r"|muc (?:dong|thu|nop) (?:\w+ ){0,5}(?:bao nhieu|la bao|the nao|ra sao)"
            r"|thue \w+(?: \w+){0,6} tinh (?:the nao|ntn|nhu the nao|sao)|fee|fees|cost|costs"
            r"|how much|price|charge|charges|pay|is it free|for free)\b"
        ),
    ),
    (
        Aspect.TIME,
        re.compile(
            r"\b(?:bao lau|(?<!tien )may ngay|bao nhieu ngay|bao nhieu lau|thoi gian"
            r"|thoi han giai quyet"
            r"|khi nao (?:thi |moi )?(?:co|xong|lay|nhan|duoc|toi|den|ve)"
            r"|han (?:chot|cuoi)|cham nhat (?:la )?(?:ngay|khi)|deadline|truoc ngay nao"
            r"|trong (?:thoi han|vong) bao lau|(?:vao )?(?:thang|ngay) may\b"
            r"|(?<!chua )(?<!khong )bao gio (?:thi )?(?:co|xong|lay|nhan|duoc)"
            r"|ngay nao (?:co|lay|nhan)|lau (?:khong|ko|qua|vay)|(?<!o )(?<!choi )may hom(?! nay)"
            r"|(?:mat|trong|chi) may (?:tuan|thang)"
            r"|mat may(?! anh| chi| em| dua| nguoi| con| dong| cai)"
            r"|trong ngay|lay lien|lay ngay|co ngay"
            r"|co lien|co kip|kip (?:khong|ko)|(?<!o dau )nhanh nhat|hen tra|how long"
            r"|how many (?:days|weeks)"
            r"|when will|when can (?:i|we)|how soon|how quickly|processing time|turnaround"
            r"|pick it up)\b"
        ),
    ),
    (
        Aspect.ONLINE,
        re.compile(
            # Selling online is the business, not the channel of the filing.
            r"\b(?:(?<!ban )(?<!hang )(?<!shop )online|truc tuyen|qua mang"
            r"|(?<!doc )(?<!xem )(?<!coi )(?<!thay )(?<!nghe )(?<!doc bao )tren mang"
            r"|dich vu cong|cong dvc|dvc|qua vneid|vssid"
            r"|(?:dang ky|lam|nop|khai) tren vneid|(?:nop|khai|lam ho so)(?: \w+){0,3} tai nha"
            r"|(?:tai|o) nha (?:lam|nop|khai)(?! (?:ruong|ray|vuon|noi tro|thue|viec|an|nong))"
            r"|qua app|tren app"
            r"|ung dung|internet|website|trang web|qua buu dien|buu chinh|gui buu dien"
            r"|khong (?:can|phai) (?:len|ra|den|di)|tu lam tren|(?:qua|tren) dien thoai"
            r"|apply online"
            r"|(?:qua|bang) (?:ung dung |app )?(?:vneid|etax)|tren (?:ung dung |app )?etax"
            r"|(?:lam|nop|khai|dang ky|xin)(?: \w+){0,4} (?:ngay )?tren (?:ung dung |app )?vneid"
            r"|bang dien thoai|(?<!ban )(?<!hang )(?<!shop )(?:onl|onine|onlinr|onlien)"
            r"|tren (?:ung dung |app )?(?:vneid|etax|vssid) (?:duoc|dc) (?:khong|ko|k)"
            r"|(?:qua|theo) duong buu (?:dien|chinh)"
            r"|(?:through|via|on|using) (?:the )?(?:vneid|etax)|submit online|do it online"
            r"|by post|by mail|via the app|on the app|portal)\b"
        ),
    ),
    (
        Aspect.DOCUMENTS,
        re.compile(
            # "làm những gì" asks what to do, "hưởng / được những gì" what one gets.
            # "chưa có giấy tờ gì" tells a story (no papers yet); "mang theo" a move, unless
            # what to bring is asked.
            r"\b(?:(?<!chua co )(?<!lam )(?<!khong co )giay to gi|giay to nao"
            r"|(?<!lam )(?<!huong )(?<!duoc )(?<!ho tro )nhung gi|nhung giay"
            r"|(?:ho so|hs) gom|ho so can|(?:ho so|hs) (?:gi|j)\b"
            r"|ho so (?:nhu the nao|the nao|ra sao)|can gi|mang gi"
            r"|(?:can|phai|nho) (?:mang|dem) theo|(?:mang|dem) theo (?:gi|nhung|giay|ban|cac)"
            r"|chuan bi gi"
            r"|can nhung|thanh phan ho so|chuan bi ho so|can co gi|phai co gi|can nhung loai"
            r"|(?:lay|can|mang|nop) giay gi|mau don|mau to khai|to khai (?:nao|gi|mau)|mau so"
            r"|what documents|which documents|what papers"
            r"|giay to(?: \w+){0,6} loai nao|(?:chung tu|tai lieu|ban ve) (?:nao|gi)"
            r"|gom (?:nhung|cac) (?!buoc)(?:\w+ ){0,2}(?:nao|gi)|gom gi|(?:can|mang|nop) them gi"
            r"|(?:co )?can (?:mang |nop |co )?(?:giay|ban|the|so|anh|hinh)(?: \w+){0,6}"
            r" (?:khong|ko|k)"
            r"|(?:can|phai) nop (?:nhung )?gi|^ho so (?:dang ky|xin|lam|cap|de nghi)"
            r"|original or (?:a )?copy|copy is (?:ok|enough|fine)"
            r"|which papers|documents? (?:do i|are) need|documents required|required documents"
            r"|papers required|forms? (?:and papers )?required|need to bring|what do i need"
            r"|paperwork|which forms?|what forms?)\b"
        ),
    ),
    (
        Aspect.WHERE,
        re.compile(
            r"\b(?:o dau|cho nao|noi nao|co quan (?:\w+ ){0,2}nao|nop o|nop tai|den dau|ra dau"
            r"|len dau|di dau|ve dau"
            # "làm ở xã hay phường" asks where; "làm ở xưởng gỗ" is where one works.
            r"|lam o (?!xuong|nha may|cong ty|cty|tro|han|nhat|dai loan|nong truong|cong truong"
            r"|khu cong nghiep|kcn|tiem|cua hang|nuoc ngoai|ngoai|benh vien|truong|quan|nha hang"
            r"|khach san|cong xuong|mo|cang|ben)|xa nao|phuong nao|cong an nao|tinh nao|ben nao"
            r"|van phong nao|dia chi (?:o dau|nop|cua (?:co quan|so|xa|phuong|ubnd))|o xa hay"
            r"|o phuong hay|(?:ra|len|ve) (?:cong an |ca |ubnd |uy ban )?(?:xa|phuong|tinh) hay"
            r"|hay (?:len |ra |ve |o )?(?:tinh"
            r"|xa|phuong|so|cong an|phong)$|(?:xa|phuong) noi \w+|noi (?:thuong tru|tam tru"
            r"|cu tru|sinh|o) hay|tai dau"
            r"|(?:xa|phuong|tinh)(?: \w+){0,3} hay (?:la )?(?:phai )?(?:len|ra|ve|den|o) "
            r"|where|which office|which agency|which authority|who issues"
            r"|(?:xin phep|hoi|bao|nop cho|gui(?: don)?(?: cho)?|gap|lien he) ai"
            r"(?! (?:duoc|dc|co the|phai|se|cung))"
            r"|(?:gui|nop)(?: don)? (?:len|den|toi) ai"
            r"|nop cho (?:ubnd|uy ban|so|xa|phuong|cong an|chi cuc|cuc)"
            r"|tu nop (?:cho|o|tai|len)|gui (?:don )?(?:o |den |toi )?dau"
            # "nộp giấy ra viện cho ai", "nộp ở xã hả", "ra công an xã làm hay sao".
            r"|(?:nop|dua|gui) (?:\w+ ){1,4}cho ai|o (?:xa|phuong) (?:ha|phai khong|dung khong)"
            r"|(?:ra|len|den) (?:cong an|ubnd|uy ban)(?: \w+){0,2} (?:lam|nop) (?:hay|a|ha)"
            # Chat shorthand drops "ở": "trích lục khai tử làm đâu", "BHYT mua đâu"; an
            # office asked by kind ("xin sao ở tòa nào"), or "who issues it" at the end.
            r"|(?:lam|mua|dang ky|dk|xin|nop|lay|in|cap|doi|kham|trich luc) dau"
            r"(?: (?:a|ad|admin|anh|chi|em|vay|the|nhi|ha|z|ak|ah|ban|nhe))*$"
            r"|(?:o|tai|len|ra|den|nop) (?:\w+ )?(?:toa|so|benh vien|truong|buu dien|chi cuc|cuc"
            r"|trung tam) nao|ai cap(?: (?:a|anh|vay|the|z|ha))*$"
            # "… ở bưu điện được không hay phải lên UBND": which of two offices.
            r"|hay (?:la )?(?:phai |bat buoc )?(?:len|ra|den|ve|o|tai) (?:\w+ )?(?:ubnd|uy ban"
            r"|cong an|so|toa|phong|van phong|buu dien|chi cuc|cuc|trung tam|xa|phuong|tinh)"
            # "chứng thực ở UBND xã được không", "can I do it at the commune?": which office.
            r"|(?:o|tai) (?:\w+ ){0,3}(?:xa|phuong|ubnd|uy ban|so|cong an|truong|toa|buu dien"
            r"|dai su quan|lanh su)(?: \w+){0,3} (?:duoc|dc) (?:khong|ko|k|hong|hok)"
            r"|(?:do it|do this|apply|applied|done|file|submit|get it|apply for it)(?: \w+){0,3}"
            r" (?:at|through) (?:the |our |my )?(?:\w+ )?(?:commune|ward|embassy|consulate)"
            r"|what office|which place|address)\b"
        ),
    ),
    (
        Aspect.STEPS,
        re.compile(
            r"\b(?:cac buoc|trinh tu|quy trinh|tung buoc|buoc nao|buoc dau|buoc 1|buoc mot"
            r"|nhung buoc|buoc gi|buoc tiep|lam tiep (?:nhung )?gi|what are the steps|steps?"
            r"|bat dau tu dau|theo thu tu|thu tu (?:nao|the nao|ra sao)|huong dan (?:cach|cho|giup)"
            r"|tu dau (?:den|toi) cuoi|what(?: is|'s|s) the process|how is the process"
            r"|(?:lan luot|dien ra|tien hanh) (?:nhu the nao|the nao|ra sao)|explain the procedure"
            r"|process for|in order|first step)\b"
        ),
    ),
    (
        Aspect.ELIGIBILITY,
        re.compile(
            # "để đủ điều kiện mua nhà" is a purpose, not a question.
            r"\b(?:co du dieu kien|(?<!de )du dieu kien (?:de|mua|lam|huong|nhan)|du dk|du tuoi"
            r"|tieu chi"
            r"|^dieu kien"
            r"|dieu kien (?:gi|nao|la gi|de|\w+(?: \w+){0,5} la gi)|(?:dk|dieu kien) de"
            r"|co duoc (?!khong|ko)|co duoc phep|nop thay|lam ho(?! chieu| khau| kinh| tich| so)"
            r"|lam thay|thay (?:duoc|dc) (?:khong|ko|k)"
            r"|(?:linh|lanh|nhan|nop) thay(?: \w+){0,2} (?:duoc|dc) (?:khong|ko|k)"
            r"|duoc chua|nho (?:nguoi|ban|nguoi nha) "
            r"|da (?:duoc|dc) (?:\w+ ){1,10}chua|con (?:duoc|dc) (?:\w+ ){1,6}(?:khong|ko|k)"
            r"|(?:co )?thuoc (?:dien|doi tuong|truong hop)(?: \w+){0,8} (?:khong|ko|k)"
            r"|(?:moi|tren|duoi|da|chua du|du) \d{1,2}(?: tuoi|t)?(?: \w+){0,6} (?:duoc|dc)"
            r" (?:khong|ko|k|chua)"
            r"|di thay|thay cho (?:chau|con|em|me|bo|nguoi|chong|vo|ma|ba|ong|cha|anh|chi)"
            r"|ai (?:duoc|dc|co the) (?:dung ra |di )?(?:lam|nop|khai|dang ky|xin)"
            r"|uy quyen \w+(?: \w+){0,4} (?:duoc|dc) (?:khong|ko|k)|co phai (?:\w+ ){1,3}lai"
            r"|co (?:xin|dang ky|lam|nop|mua|dung ten|nhap|chuyen|tach|cap)(?: \w+){0,6}"
            r" (?:duoc|dc) (?:khong|ko|k)|can (?:anh|a) foreigners?|foreigners? (?:can|be allowed)"
            r"|nguoi (?:khong|chua) co \w+(?: \w+){0,6} (?:duoc|dc) (?:khong|ko|k)"
            # Who may file: for someone else, alone, oneself; and the minimum to qualify.
            r"|(?:lam|nop|khai|dang ky|di)(?: \w+){0,5} (?:giup|gium) (?:\w+ ){0,2}"
            r"(?:duoc|dc) (?:khong|ko|k)|mot minh (?:\w+ ){0,2}(?:duoc|dc) (?:khong|ko|k|hay)"
            r"|(?:toi|em|e|minh|tui) tu (?:di )?(?:lam|nop|xoa|khai|dang ky)(?: \w+){0,4}"
            r" (?:duoc|dc) (?:khong|ko|k|hay)"
            r"|di (?:khai|dang ky|lam|nop)(?: \w+){0,3} cho (?:chau|con|me|bo|ba|ong|vo|chong|em"
            r"|anh|chi)(?: \w+){0,2} (?:duoc|dc) (?:khong|ko|k)"
            r"|toi thieu (?:\w+ ){0,6}(?:moi|thi) (?:duoc|dc)"
            r"|toi thieu (?:bao nhieu|may) (?:nguoi|thanh vien|co dong|xa vien|tuoi|m2|met|nam)"
            r"|(?:so nam|thoi gian) (?:\w+ )?toi thieu|am i able|requirements"
            r"|need (?:\w+ ){0,2}permit"
            r"|it nhat (?:\w+ ){0,5}(?:moi|thi) (?:\w+ ){0,3}(?:duoc|dc)"
            r"|am i eligible|eligible|allowed to|qualify|on (?:her|his|my|their) behalf"
            r"|is that possible"
            r"|(?<!how )can (?:i|we|my|a|the|he|she|foreigners?)"
            r" (?!renew|apply online|speak|talk|chat)"
            r"|is it possible|requirements? for|conditions? (?:to|for)|what are the conditions"
            r"|who (?:has|have|needs?) to|who must"
            r"|\d{1,2} (?:tuoi|t)(?: \w+){0,6} (?:duoc|dc) (?:khong|ko|k|chua)"
            # "… có được không, hay phải đợi cuối năm?": whether it may be done now.
            r"|(?:duoc|dc) (?:khong|ko|k|hong|hok) hay (?:la |phai |bat buoc |cu |con |chi |doi )"
            r"|co (?:\w+ ){1,2}(?:duoc|dc)(?: \w+){1,8} (?:khong|ko|k|hong|hok)"
            r"(?: (?:a|ad|admin|anh|chi|em|vay|the|nhi|ha|z|ak))*$"
            r"|(?:bao nhieu|may) (?:\w+ ){0,3}(?:thi )?moi (?:duoc|dc)"
            # "chồng có được hưởng thai sản không": whether a benefit is due.
            r"|(?:duoc|dc) huong(?: \w+){1,8} (?:khong|ko|k|hong)|entitled"
            # Last of all: "… được không?" asking nothing else asks whether it may be done.
            r"|(?:duoc|dc) (?:khong|ko|k|hong|hok)(?: (?:a|ad|admin|anh|chi|em|vay|the|nhi|ha|z"
            r"|ak))*$)\b"
        ),
    ),
)


def detect_aspect(text: str) -> Aspect | None:
    """The aspect a message asks about, or None when it names only the procedure."""
    folded = " ".join(normalise(fold(text).split()))
    if not folded:
        return None
    for aspect, rx in _RULES:
        if rx.search(folded):
            return aspect
    return None
