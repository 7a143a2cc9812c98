"""The default email templates (English and Vietnamese), installed by a data migration.

Pure data plus one installer that takes the model as an argument, so migrations can use it with
their historical model. Staff edit the installed rows in the admin; re-installing never overwrites.
"""

_SIGN_EN = (
    "For any question, please write to {{ contact_email }}.\n\nWith best regards,\n"
    "{{ academy_name }}"
)
_SIGN_VI = "Mọi thắc mắc xin gửi về {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}"

DEFAULT_EMAIL_TEMPLATES = {
    ("invitation", "en"): (
        "Invitation: {{ edition_title }}, {{ dates }}",
        "Dear {{ formal_name }},\n\n"
        "On behalf of {{ academy_name }}, we have the honour to invite you to {{ edition_title }}, "
        "to be held on {{ dates }}{% if venue %} at {{ venue }}{% endif %}.\n"
        "{% if theme %}\nThe theme of this edition is “{{ theme }}”.\n{% endif %}"
        "{% if session %}\nWe would be delighted if you could join the session “{{ session }}”"
        "{% if role %} as {{ role }}{% endif %}.\n{% endif %}"
        "{% if personal_message %}\n{{ personal_message }}\n{% endif %}\n"
        "Please let us know whether you can attend{% if deadline %} by {{ deadline }}{% endif %}, "
        "using your personal link:\n{{ rsvp_link }}\n\n"
        "The link is personal to you; please do not forward it. You can change your answer with "
        "the same link until the deadline.\n\n"
        "Discussions are held under the following rule: {{ attribution }}\n\n" + _SIGN_EN,
    ),
    ("invitation", "vi"): (
        "Thư mời: {{ edition_title }}, {{ dates }}",
        "Kính gửi {{ formal_name }},\n\n"
        "Thay mặt {{ academy_name }}, chúng tôi trân trọng kính mời Quý vị tham dự "
        "{{ edition_title }}, diễn ra vào {{ dates }}{% if venue %} tại {{ venue }}{% endif %}.\n"
        "{% if theme %}\nChủ đề của kỳ này là “{{ theme }}”.\n{% endif %}"
        "{% if session %}\nChúng tôi rất mong Quý vị tham gia phiên “{{ session }}”"
        "{% if role %} với vai trò {{ role }}{% endif %}.\n{% endif %}"
        "{% if personal_message %}\n{{ personal_message }}\n{% endif %}\n"
        "Kính đề nghị Quý vị phản hồi{% if deadline %} chậm nhất ngày {{ deadline }}{% endif %} "
        "qua đường dẫn cá nhân dưới đây:\n{{ rsvp_link }}\n\n"
        "Đường dẫn này dành riêng cho Quý vị, xin vui lòng không chuyển tiếp. Quý vị có thể thay "
        "đổi phản hồi bằng chính đường dẫn này cho đến hạn chót.\n\n"
        "Các thảo luận được tiến hành theo nguyên tắc: {{ attribution }}\n\n" + _SIGN_VI,
    ),
    ("reminder_unanswered", "en"): (
        "Reminder: please reply to the invitation to {{ edition_title }}",
        "Dear {{ formal_name }},\n\n"
        "We have not yet received your reply to our invitation to {{ edition_title }} "
        "({{ dates }}{% if venue %}, {{ venue }}{% endif %}).\n\n"
        "We would be grateful if you could let us know{% if deadline %} by {{ deadline }}"
        "{% endif %} whether you will be able to attend:\n{{ rsvp_link }}\n\n" + _SIGN_EN,
    ),
    ("reminder_unanswered", "vi"): (
        "Thư nhắc phản hồi thư mời tham dự {{ edition_title }}",
        "Kính gửi {{ formal_name }},\n\n"
        "Chúng tôi chưa nhận được phản hồi của Quý vị đối với thư mời tham dự {{ edition_title }} "
        "({{ dates }}{% if venue %}, {{ venue }}{% endif %}).\n\n"
        "Kính mong Quý vị cho biết{% if deadline %} chậm nhất ngày {{ deadline }}{% endif %} "
        "Quý vị có thể tham dự hay không, qua đường dẫn cá nhân:\n{{ rsvp_link }}\n\n" + _SIGN_VI,
    ),
    ("reminder_participant", "en"): (
        "See you soon at {{ edition_title }}",
        "Dear {{ formal_name }},\n\n"
        "We look forward to welcoming you to {{ edition_title }} on {{ dates }}"
        "{% if venue %} at {{ venue }}{% endif %}.\n"
        "{% if session %}\nYour session: {{ session }}{% if role %} ({{ role }}){% endif %}.\n"
        "{% endif %}"
        "{% if practical_information %}\nPractical information:\n{{ practical_information }}\n"
        "{% endif %}\n"
        "The attached calendar file adds the event to your calendar. If your plans change, "
        "please update your answer:\n{{ rsvp_link }}\n\n" + _SIGN_EN,
    ),
    ("reminder_participant", "vi"): (
        "Hẹn gặp Quý vị tại {{ edition_title }}",
        "Kính gửi {{ formal_name }},\n\n"
        "Chúng tôi hân hạnh được đón tiếp Quý vị tại {{ edition_title }} vào {{ dates }}"
        "{% if venue %} tại {{ venue }}{% endif %}.\n"
        "{% if session %}\nPhiên của Quý vị: {{ session }}{% if role %} ({{ role }}){% endif %}.\n"
        "{% endif %}"
        "{% if practical_information %}\nThông tin hậu cần:\n{{ practical_information }}\n"
        "{% endif %}\n"
        "Tệp lịch đính kèm giúp Quý vị thêm sự kiện vào lịch của mình. Nếu kế hoạch thay đổi, "
        "xin vui lòng cập nhật phản hồi tại:\n{{ rsvp_link }}\n\n" + _SIGN_VI,
    ),
    ("confirmation", "en"): (
        "Your participation in {{ edition_title }} is confirmed",
        "Dear {{ formal_name }},\n\n"
        "Thank you for accepting our invitation. Your participation in {{ edition_title }} on "
        "{{ dates }}{% if venue %} at {{ venue }}{% endif %} is confirmed.\n"
        "{% if session %}\nYour session: {{ session }}{% if role %} ({{ role }}){% endif %}.\n"
        "{% endif %}"
        "{% if answer_summary %}\nWhat you told us:\n{{ answer_summary }}\n{% endif %}\n"
        "The attached calendar file adds the event to your calendar. You can review or change "
        "your answer{% if deadline %} until {{ deadline }}{% endif %} with your personal link:\n"
        "{{ rsvp_link }}\n"
        "{% if checkin_link %}\nAt the registration desk, please show the QR code of your name "
        "badge or this check-in link:\n{{ checkin_link }}\n{% endif %}"
        "{% if practical_information %}\nPractical information:\n{{ practical_information }}\n"
        "{% endif %}\n" + _SIGN_EN,
    ),
    ("confirmation", "vi"): (
        "Xác nhận tham dự {{ edition_title }}",
        "Kính gửi {{ formal_name }},\n\n"
        "Cảm ơn Quý vị đã nhận lời mời. Chúng tôi xác nhận sự tham dự của Quý vị tại "
        "{{ edition_title }} vào {{ dates }}{% if venue %} tại {{ venue }}{% endif %}.\n"
        "{% if session %}\nPhiên của Quý vị: {{ session }}{% if role %} ({{ role }}){% endif %}.\n"
        "{% endif %}"
        "{% if answer_summary %}\nThông tin Quý vị đã cung cấp:\n{{ answer_summary }}\n"
        "{% endif %}\n"
        "Tệp lịch đính kèm giúp Quý vị thêm sự kiện vào lịch của mình. Quý vị có thể xem lại "
        "hoặc thay đổi phản hồi{% if deadline %} đến hết ngày {{ deadline }}{% endif %} qua đường "
        "dẫn cá nhân:\n{{ rsvp_link }}\n"
        "{% if checkin_link %}\nTại bàn đón tiếp, Quý vị vui lòng xuất trình mã QR trên thẻ đại "
        "biểu hoặc đường dẫn điểm danh sau:\n{{ checkin_link }}\n{% endif %}"
        "{% if practical_information %}\nThông tin hậu cần:\n{{ practical_information }}\n"
        "{% endif %}\n" + _SIGN_VI,
    ),
    ("waitlisted", "en"): (
        "You are on the waitlist for {{ edition_title }}",
        "Dear {{ formal_name }},\n\n"
        "Thank you for accepting our invitation to {{ edition_title }} ({{ dates }}). All places "
        "are currently taken, so we have put you on the waitlist. If a place opens, it is given "
        "to you automatically and we will write to confirm it.\n\n"
        "If you can no longer come, please let us know with your personal link:\n"
        "{{ rsvp_link }}\n\n" + _SIGN_EN,
    ),
    ("waitlisted", "vi"): (
        "Quý vị có tên trong danh sách chờ tham dự {{ edition_title }}",
        "Kính gửi {{ formal_name }},\n\n"
        "Cảm ơn Quý vị đã nhận lời mời tham dự {{ edition_title }} ({{ dates }}). Hiện tất cả các "
        "chỗ đã được đăng ký, vì vậy chúng tôi đã đưa Quý vị vào danh sách chờ. Khi có chỗ trống, "
        "chỗ đó sẽ tự động được dành cho Quý vị và chúng tôi sẽ gửi thư xác nhận.\n\n"
        "Nếu Quý vị không thể tham dự, xin vui lòng cho chúng tôi biết qua đường dẫn cá nhân:\n"
        "{{ rsvp_link }}\n\n" + _SIGN_VI,
    ),
    ("place_offered", "en"): (
        "A place has opened: you are confirmed for {{ edition_title }}",
        "Dear {{ formal_name }},\n\n"
        "Good news: a place has opened at {{ edition_title }} on {{ dates }}"
        "{% if venue %} at {{ venue }}{% endif %}, and it is yours. Your participation is now "
        "confirmed; the attached calendar file adds the event to your calendar.\n\n"
        "If you can no longer come, please decline with your personal link so that the place "
        "can go to someone else:\n{{ rsvp_link }}\n\n" + _SIGN_EN,
    ),
    ("place_offered", "vi"): (
        "Đã có chỗ trống: Quý vị được xác nhận tham dự {{ edition_title }}",
        "Kính gửi {{ formal_name }},\n\n"
        "Chúng tôi vui mừng thông báo đã có chỗ trống tại {{ edition_title }} vào {{ dates }}"
        "{% if venue %} tại {{ venue }}{% endif %}, và chỗ này được dành cho Quý vị. Sự tham dự "
        "của Quý vị nay đã được xác nhận; tệp lịch đính kèm giúp Quý vị thêm sự kiện vào lịch "
        "của mình.\n\n"
        "Nếu Quý vị không thể tham dự, xin vui lòng từ chối qua đường dẫn cá nhân để chỗ này "
        "được dành cho người khác:\n{{ rsvp_link }}\n\n" + _SIGN_VI,
    ),
    ("withdrawn", "en"): (
        "Update on your invitation to {{ edition_title }}",
        "Dear {{ formal_name }},\n\n"
        "We regret to inform you that our invitation to {{ edition_title }} ({{ dates }}) has "
        "been withdrawn, and your personal link no longer works. We apologise for any "
        "inconvenience.\n\n" + _SIGN_EN,
    ),
    ("withdrawn", "vi"): (
        "Thông báo về thư mời tham dự {{ edition_title }}",
        "Kính gửi {{ formal_name }},\n\n"
        "Chúng tôi rất tiếc phải thông báo rằng thư mời tham dự {{ edition_title }} ({{ dates }}) "
        "đã được rút lại và đường dẫn cá nhân của Quý vị không còn hiệu lực. Chúng tôi xin lỗi vì "
        "sự bất tiện này.\n\n" + _SIGN_VI,
    ),
    ("thank_you", "en"): (
        "Thank you for taking part in {{ edition_title }}",
        "Dear {{ formal_name }},\n\n"
        "Thank you for taking part in {{ edition_title }} on {{ dates }}. Your contribution "
        "enriched the discussions.\n\n"
        "The materials of the edition (programme, proceedings, presentations) are on your page, "
        "where you may also tell us briefly how you found the event:\n{{ materials_link }}\n\n"
        "We look forward to welcoming you again.\n\n" + _SIGN_EN,
    ),
    ("thank_you", "vi"): (
        "Cảm ơn Quý vị đã tham dự {{ edition_title }}",
        "Kính gửi {{ formal_name }},\n\n"
        "Chúng tôi trân trọng cảm ơn Quý vị đã tham dự {{ edition_title }} vào {{ dates }}. "
        "Những đóng góp của Quý vị đã làm phong phú thêm các thảo luận.\n\n"
        "Tài liệu của kỳ này (chương trình, kỷ yếu, bài trình bày) được đăng trên trang dành cho "
        "Quý vị; tại đó Quý vị cũng có thể gửi ý kiến đánh giá ngắn về sự kiện:\n"
        "{{ materials_link }}\n\n"
        "Chúng tôi rất mong được tiếp tục đón tiếp Quý vị.\n\n" + _SIGN_VI,
    ),
}


def install_default_email_templates(template_model) -> int:
    """Create the missing default (all-editions) templates; returns how many were created."""
    created = 0
    for (kind, language), (subject, body) in DEFAULT_EMAIL_TEMPLATES.items():
        _, was_created = template_model.objects.get_or_create(
            kind=kind,
            language=language,
            edition=None,
            defaults={"subject": subject, "body": body},
        )
        created += was_created
    return created
